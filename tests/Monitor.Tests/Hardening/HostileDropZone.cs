using System.Text;
using System.Text.Json;
using Azure.Storage.Blobs;
using Azure.Storage.Sas;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Hardening;

/// <summary>
/// One Azurite slice with a known-good register and feed in the drop zone, plus helpers to drop hostile blobs beside
/// them (raw bytes, any name) and to check what the real ingest path made of each.
/// </summary>
public sealed class HostileDropZone(IDictionary<string, string?>? settings = null) : IAsyncDisposable
{
    public const string GoodFeedBlob = "incidents/liaison-cn/good.csv";
    public const string RegisterBlob = "requests/register.csv";
    public static readonly Instant AsOf = Instant.FromUtc(2026, 11, 18, 12, 0);

    // T-100 is the good file's request; T-200 is the one hostile files reference, so their rows never mix.
    public const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        T-100,US,CN,investigation,high,2026-11-16T09:00:00+08:00,First request,10.20.0.0/16
        T-200,CN,US,information,medium,2026-11-17T10:00:00-05:00,Second request,evil-host.cn
        """;

    public const string GoodFeed = """
        record_id,reported_at,reporter,kind,request_refs,indicators,summary
        R1,2026-11-16T10:00:00+08:00,,acknowledgement,T-100,,Received
        """;

    public TestStorage Test { get; } = new(settings: settings);

    public BlobContainerClient Incoming => Test.Storage.Incoming;

    public async Task PutAsync(string blobName, byte[] content)
    {
        await Test.Storage.EnsureCreatedAsync(CancellationToken.None);
        await Incoming.GetBlobClient(blobName).UploadAsync(BinaryData.FromBytes(content), overwrite: true);
    }

    public Task PutAsync(string blobName, string content) => PutAsync(blobName, Encoding.UTF8.GetBytes(content));

    public async Task PutGoodFilesAsync()
    {
        await PutAsync(RegisterBlob, Register);
        await PutAsync(GoodFeedBlob, GoodFeed);
    }

    /// <summary>
    /// Uploads under a name that every SDK and System.Uri would rewrite (dot segments), with a raw request whose path is
    /// sent as written: what a hostile REST client can do.
    /// </summary>
    public async Task PutRawNameAsync(string blobName, string content)
    {
        await Test.Storage.EnsureCreatedAsync(CancellationToken.None);
        var container = new BlobContainerClient(AzuriteServer.ConnectionString, Incoming.Name);
        var sas = container.GenerateSasUri(BlobContainerSasPermissions.Write | BlobContainerSasPermissions.Create, new DateTimeOffset(2100, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var escaped = string.Join('/', blobName.Split('/').Select(s => s switch { "." => "%2E", ".." => "%2E%2E", _ => Uri.EscapeDataString(s) }));
        var uri = new Uri($"{container.Uri.AbsoluteUri}/{escaped}{sas.Query}", new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = new StringContent(content) };
        request.Headers.Add("x-ms-blob-type", "BlockBlob");
        request.Headers.Add("x-ms-version", "2021-08-06");
        using var response = await http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"raw PUT of {blobName}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Contains(blobName, await ListNamesAsync());
    }

    public async Task<List<string>> ListNamesAsync()
    {
        var names = new List<string>();
        await foreach (var blob in Incoming.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }
        return names;
    }

    public async Task<Monitor.Cli.RunSummary> RunOnceAsync()
    {
        var summary = await Test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        Assert.True(summary.Failures.Count == 0, string.Join("\n", summary.Failures));
        return summary;
    }

    public async Task<FeedRunEntity> RunOfAsync(string blobName)
    {
        var runs = await Test.ReadAllAsync<FeedRunEntity>(StorageNames.FeedRunsTable);
        return Assert.Single(runs, r => r.BlobName == blobName);
    }

    /// <summary>The blob was quarantined: FeedRuns says so with the reason, and quarantine holds the error report (and the copy).</summary>
    public async Task<FeedRunEntity> AssertQuarantinedAsync(string blobName, string reason, bool copied = true)
    {
        var run = await RunOfAsync(blobName);
        Assert.Equal(FeedOutcomes.Quarantined, run.Outcome);
        Assert.Contains(reason, run.Error);
        Assert.Equal(0, run.Records);

        var quarantined = new Dictionary<string, BlobClient>();
        await foreach (var item in Test.Storage.Quarantine.GetBlobsAsync())
        {
            quarantined[item.Name] = Test.Storage.Quarantine.GetBlobClient(item.Name);
        }
        JsonElement? report = null;
        string? reportName = null;
        foreach (var (name, client) in quarantined.Where(q => q.Key.EndsWith(".error.json", StringComparison.Ordinal)))
        {
            var json = JsonDocument.Parse((await client.DownloadContentAsync()).Value.Content.ToString()).RootElement.Clone();
            if (json.GetProperty("blob").GetString() == blobName)
            {
                (report, reportName) = (json, name);
            }
        }
        Assert.True(report is not null, $"no .error.json for {blobName} in quarantine (has: {string.Join(", ", quarantined.Keys)})");
        Assert.Equal("quarantined", report.Value.GetProperty("outcome").GetString());
        Assert.Contains(reason, report.Value.GetProperty("error").GetString());
        var copy = reportName![..^".error.json".Length];
        Assert.Equal(copied, quarantined.ContainsKey(copy));
        return run;
    }

    /// <summary>The blob was processed, and Rejects holds a row for it at <paramref name="location"/> with the reason.</summary>
    public async Task<List<RejectEntity>> AssertRejectedAsync(string blobName, string location, string reason)
    {
        var run = await RunOfAsync(blobName);
        Assert.Equal(FeedOutcomes.Processed, run.Outcome);
        var rejects = (await Test.ReadAllAsync<RejectEntity>(StorageNames.RejectsTable)).Where(r => r.BlobName == blobName).ToList();
        Assert.True(rejects.Any(r => r.Location == location && r.Reason.Contains(reason, StringComparison.Ordinal) && r.Severity == "reject"),
            $"no reject at {location} with '{reason}' for {blobName}; rejects: {string.Join(" | ", rejects.Select(r => $"{r.Location}: {r.Reason}"))}");
        return rejects;
    }

    /// <summary>The good feed, ingested in the same run, produced exactly its rows.</summary>
    public async Task AssertGoodFileUnaffectedAsync()
    {
        var run = await RunOfAsync(GoodFeedBlob);
        Assert.Equal((FeedOutcomes.Processed, 1, 1, 1, 0), (run.Outcome, run.Records, run.Matches, run.Events, run.Rejects));
        var matches = await Test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable);
        Assert.Equal(["T-100 R1 reference T-100 liaison-cn"], matches.Where(m => m.RequestId == "T-100").Select(m => $"{m.RequestId} {m.RecordId} {m.MatchType} {m.Indicator} {m.Source}"));
        var events = await Test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable);
        Assert.Equal(["T-100 R1 acknowledgement timeline"], events.Where(e => e.RequestId == "T-100").Select(e => $"{e.RequestId} {e.RecordId} {e.Kind} {e.Effect}"));
        var requests = await Test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable);
        var t100 = Assert.Single(requests, r => r.RequestId == "T-100");
        Assert.Equal("met", t100.AckLevel);
    }

    /// <summary>Rows the hostile files left for T-200, as "record kind".</summary>
    public async Task<List<string>> EventsOfT200Async() =>
        (await Test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable)).Where(e => e.RequestId == "T-200").Select(e => e.RecordId).Order(StringComparer.Ordinal).ToList();

    public ValueTask DisposeAsync() => Test.DisposeAsync();
}
