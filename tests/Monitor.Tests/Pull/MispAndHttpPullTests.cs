using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Pull;
using Monitor.Core.Storage;
using static Monitor.Tests.Pull.PullTestData;

namespace Monitor.Tests.Pull;

/// <summary>Pulling a MISP feed folder and an HTTP file from a static server (python3 -m http.server).</summary>
public sealed class MispAndHttpPullTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static readonly Guid EventA = Guid.Parse("5f1b2c3d-0000-4000-8000-00000000000a");
    private static readonly Guid EventB = Guid.Parse("5f1b2c3d-0000-4000-8000-00000000000b");
    private static readonly Guid EventC = Guid.Parse("5f1b2c3d-0000-4000-8000-00000000000c");

    private static JsonObject Event(Guid uuid, long timestamp, params int[] domains) => new()
    {
        ["Event"] = new JsonObject
        {
            ["uuid"] = uuid.ToString(),
            ["info"] = $"pull test event {uuid.ToString()[^1]}",
            ["date"] = "2026-11-19",
            ["timestamp"] = $"{timestamp}",
            ["Orgc"] = new JsonObject { ["name"] = "CIRCL" },
            ["Attribute"] = new JsonArray([.. domains.Select(d => (JsonNode)new JsonObject
            {
                ["uuid"] = new Guid($"{uuid.ToString()[..24]}{d:D12}").ToString(),
                ["type"] = "domain",
                ["category"] = "Network activity",
                ["value"] = Domain(d),
                ["timestamp"] = $"{timestamp}",
                ["to_ids"] = true,
            })]),
        },
    };

    private static async Task PublishAsync(StaticFileServer www, params (Guid Uuid, long Timestamp, int[] Domains)[] events)
    {
        var folder = Directory.CreateDirectory(Path.Combine(www.Root.FullName, "misp"));
        var manifest = new JsonObject();
        foreach (var (uuid, timestamp, domains) in events)
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, $"{uuid}.json"), Event(uuid, timestamp, domains).ToJsonString());
            manifest[uuid.ToString()] = new JsonObject { ["info"] = "x", ["date"] = "2026-11-19", ["timestamp"] = $"{timestamp}", ["Orgc"] = new JsonObject { ["name"] = "CIRCL" } };
        }
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "manifest.json"), manifest.ToJsonString());
    }

    [Fact]
    public async Task A_MISP_feed_pull_reads_only_the_event_updated_in_place_and_the_one_added()
    {
        await using var www = await StaticFileServer.StartAsync();
        await PublishAsync(www, (EventA, 1763546400, [1]), (EventB, 1763546500, [2]));
        await using var test = PullStorage(pageSize: 100);
        await ConfigureSourcesAsync(test, $$$"""
            "circl-feed": {"pull": {"kind": "misp-feed", "url": "{{{www.Url("misp")}}}", "schedule": "0 0 * * * *"}}
            """);
        await test.PushAsync("register.csv", Register(4), FeedKind.Requests);
        var puller = test.Services.GetRequiredService<FeedPuller>();

        var first = Assert.Single(await puller.PullAsync(null, None));
        Assert.Null(first.Error);
        Assert.Equal((2, 2), (first.Outcome!.Items, first.Outcome.Blobs));
        Assert.Equal(2, await RecordsIngestedAsync(test.Host, "circl-feed"));
        Assert.Equal(["T-01", "T-02"], await MatchedAsync(test, "circl-feed"));

        // A updated in place (a new timestamp, one more attribute), B unchanged, C added.
        await PublishAsync(www, (EventA, 1763550000, [1, 3]), (EventB, 1763546500, [2]), (EventC, 1763550100, [4]));
        var before = www.Requests.Count;
        var second = Assert.Single(await puller.PullAsync(null, None));
        Assert.Null(second.Error);
        Assert.Equal((2, 2), (second.Outcome!.Items, second.Outcome.Blobs));
        Assert.Equal(["GET /misp/manifest.json", $"GET /misp/{EventA}.json", $"GET /misp/{EventC}.json"], www.Requests.Skip(before));
        Assert.Equal(3, await RecordsIngestedAsync(test.Host, "circl-feed")); // A's two attributes and C's one

        // A's first attribute was read twice and converged on its keys: one match per request.
        Assert.Equal(["T-01", "T-02", "T-03", "T-04"], await MatchedAsync(test, "circl-feed"));
        Assert.Equal(
            [$"incidents/circl-feed/misp-{EventA}-1763546400.json", $"incidents/circl-feed/misp-{EventA}-1763550000.json",
             $"incidents/circl-feed/misp-{EventB}-1763546500.json", $"incidents/circl-feed/misp-{EventC}-1763550100.json"],
            await BlobsAsync(test, "circl-feed"));

        var third = Assert.Single(await puller.PullAsync(null, None));
        Assert.Equal((0, 0), (third.Outcome!.Items, third.Outcome.Blobs));
    }

    [Fact]
    public async Task An_unchanged_HTTP_file_writes_nothing_new()
    {
        await using var www = await StaticFileServer.StartAsync();
        await File.WriteAllTextAsync(Path.Combine(www.Root.FullName, "online.csv"), "record_id,reported_at,reporter,kind,indicators\nu1,2026-11-19T10:00:00Z,CN,sighting,t1.pull-test.example\n");
        await using var test = PullStorage(pageSize: 100);
        await ConfigureSourcesAsync(test, $$$"""
            "urlhaus": {"pull": {"kind": "http", "url": "{{{www.Url("online.csv")}}}"}}
            """);
        await test.PushAsync("register.csv", Register(1), FeedKind.Requests);
        var puller = test.Services.GetRequiredService<FeedPuller>();

        var first = Assert.Single(await puller.PullAsync("urlhaus", None));
        Assert.Null(first.Error);
        Assert.Equal(1, first.Outcome!.Blobs);
        Assert.Equal(1, await RecordsIngestedAsync(test.Host, "urlhaus"));
        Assert.Equal(["T-01"], await MatchedAsync(test, "urlhaus"));
        var blobs = await BlobsAsync(test, "urlhaus");
        Assert.Single(blobs);
        Assert.EndsWith("-online.csv", blobs[0]);
        Assert.NotNull((await test.Services.GetRequiredService<PullStateStore>().GetAsync("urlhaus", None)).HttpLastModified);

        var second = Assert.Single(await puller.PullAsync("urlhaus", None));
        Assert.Null(second.Error);
        Assert.Equal(0, second.Outcome!.Blobs);
        Assert.Contains("not modified (304)", second.Outcome.Detail);
        Assert.Equal(blobs, await BlobsAsync(test, "urlhaus"));
        Assert.Equal(0, await RecordsIngestedAsync(test.Host, "urlhaus"));
    }
}

/// <summary>TLS is verified: a server whose certificate no trusted authority issued is refused, and the pull says why.</summary>
public sealed class PullTlsTests
{
    [Fact]
    public async Task A_self_signed_certificate_fails_the_pull()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=127.0.0.1", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        var san = new System.Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var handshake = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            await using var tls = new System.Net.Security.SslStream(client.GetStream());
            try
            {
                await tls.AuthenticateAsServerAsync(certificate);
            }
            catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException)
            {
                // The client refused the certificate and closed the connection.
            }
        });
        try
        {
            await using var test = PullTestData.PullStorage(pageSize: 10);
            await PullTestData.ConfigureSourcesAsync(test, $$$"""
                "secure": {"pull": {"kind": "http", "url": "https://127.0.0.1:{{{port}}}/feed.csv"}}
                """);
            var pull = Assert.Single(await test.Services.GetRequiredService<FeedPuller>().PullAsync(null, CancellationToken.None));
            Assert.Contains($"GET https://127.0.0.1:{port}/feed.csv failed", pull.Error);
            Assert.Contains("certificate", pull.Error, StringComparison.OrdinalIgnoreCase);
            Assert.Empty(await PullTestData.BlobsAsync(test, "secure"));
            await handshake;
        }
        finally
        {
            listener.Stop();
        }
    }
}
