using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Cli;
using Monitor.Core.Pull;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Pull;

/// <summary>Requests T-01..T-NN, each with its own domain, and STIX indicators and MISP events that match them one to one.</summary>
internal static class PullTestData
{
    public const string PasswordSetting = "PULL_TEST_TAXII_PASSWORD";

    public static string Register(int count) =>
        "request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators\n"
        + string.Concat(Enumerable.Range(1, count).Select(i => $"T-{i:D2},US,CN,investigation,high,2026-11-16T09:00:00Z,pull test {i},{Domain(i)}\n"));

    public static string Domain(int i) => $"t{i}.pull-test.example";

    public static JsonObject Indicator(int i) => new()
    {
        ["type"] = "indicator",
        ["spec_version"] = "2.1",
        ["id"] = $"indicator--{new Guid($"00000000-0000-4000-8000-{i:D12}"):D}",
        ["created"] = "2026-11-19T10:00:00.000Z",
        ["modified"] = "2026-11-19T10:00:00.000Z",
        ["name"] = $"pull test indicator {i}",
        ["pattern"] = $"[domain-name:value = '{Domain(i)}']",
        ["pattern_type"] = "stix",
        ["valid_from"] = "2026-11-19T10:00:00Z",
    };

    /// <summary>Indicators first..last with date_added one second apart.</summary>
    public static IEnumerable<(JsonObject, string)> Collection(int first, int last) =>
        Enumerable.Range(first, last - first + 1).Select(i => (Indicator(i), $"2026-11-19T10:00:{i:D2}.000000Z"));

    public static string TaxiiSource(string name, Uri url, string passwordSetting = PasswordSetting) =>
        $$$"""
        "{{{name}}}": {"party": "CN", "pull": {"kind": "taxii2.1", "url": "{{{url}}}", "username": "{{{MedallionServer.User}}}", "passwordSetting": "{{{passwordSetting}}}"}}
        """;

    public static async Task ConfigureSourcesAsync(TestStorage test, params string[] sources)
    {
        await test.Storage.EnsureCreatedAsync(CancellationToken.None);
        var json = $$$"""{"parties": ["US", "CN"], "sources": { {{{string.Join(", ", sources)}}} }}""";
        await test.Storage.Config.GetBlobClient("sources.json").UploadAsync(BinaryData.FromString(json), overwrite: true);
    }

    /// <summary>Storage for a pull test: the TAXII password in its setting, pages of <paramref name="pageSize"/>, Retry-After waits recorded instead of spent.</summary>
    public static TestStorage PullStorage(int pageSize, List<TimeSpan>? waits = null, IDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            [PasswordSetting] = MedallionServer.Password,
            ["Pull:PageSize"] = $"{pageSize}",
        };
        return new TestStorage(settings: all, configure: services =>
        {
            services.AddSingleton<RetryDelay>((delay, _) =>
            {
                lock (waits ?? [])
                {
                    waits?.Add(delay);
                }
                return Task.CompletedTask;
            });
            configure?.Invoke(services);
        });
    }

    /// <summary>The blobs pulled into the drop zone for a source.</summary>
    public static async Task<List<string>> BlobsAsync(TestStorage test, string source)
    {
        var names = new List<string>();
        await foreach (var blob in test.Storage.Incoming.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, $"incidents/{source}/", CancellationToken.None))
        {
            names.Add(blob.Name);
        }
        return names;
    }

    /// <summary>The requests that a source's records matched, one entry per Matches row (so a doubled row shows twice).</summary>
    public static async Task<List<string>> MatchedAsync(TestStorage test, string source) =>
        [.. (await test.ReadAllAsync<MatchEntity>("Matches")).Where(m => m.Source == source).Select(m => m.RequestId).Order(StringComparer.Ordinal)];

    public static async Task<int> RecordsIngestedAsync(LocalHost host, string source)
    {
        var (runs, failures) = await host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Empty(failures);
        Assert.All(runs, r => Assert.Contains(r.Outcome, new[] { FeedOutcomes.Processed, FeedOutcomes.Duplicate }));
        return runs.Where(r => r.Source == source).Sum(r => r.Records);
    }
}

/// <summary>Fails the first write of a source's PullState row: the process "crashes" after the pull wrote its blobs, before the cursor is saved.</summary>
internal sealed class CrashBeforeCursorSaved : IStoragePolicyProvider
{
    public bool Armed { get; set; } = true;
    public int Crashes { get; private set; }

    public HttpPipelinePosition Position => HttpPipelinePosition.PerCall;

    public HttpPipelinePolicy CreatePolicy(StorageService service) => new Policy(this, service);

    private sealed class Policy(CrashBeforeCursorSaved owner, StorageService service) : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Check(message);
            ProcessNext(message, pipeline);
        }

        public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            Check(message);
            return ProcessNextAsync(message, pipeline);
        }

        private void Check(HttpMessage message)
        {
            var uri = Uri.UnescapeDataString(message.Request.Uri.ToString());
            if (owner.Armed && service == StorageService.Table && message.Request.Method != RequestMethod.Get
                && uri.Contains("PullState(PartitionKey=", StringComparison.Ordinal) && uri.Contains($"RowKey='{PullStateStore.SourceRow}'", StringComparison.Ordinal))
            {
                owner.Armed = false;
                owner.Crashes++;
                throw new IOException("simulated crash: the process died after the pulled blobs were written, before the cursor was saved");
            }
        }
    }
}
