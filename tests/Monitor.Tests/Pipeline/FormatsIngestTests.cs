using System.IO.Compression;
using System.Text;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Pipeline;

/// <summary>Every format, as other tools write it, through the real ingest path; the detected format lands in FeedRuns.</summary>
public sealed class FormatsIngestTests
{
    private static readonly Instant AsOf = Instant.FromUtc(2026, 11, 25, 0, 0);

    [Fact]
    public async Task Every_shared_sample_is_ingested_with_its_detected_format()
    {
        await using var test = new TestStorage();
        var expected = new Dictionary<string, string>();
        foreach (var file in Directory.EnumerateFiles(RepoPaths.SharedSamples, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var folder = Path.GetFileName(Path.GetDirectoryName(file)!);
            var blob = await test.Host.PushAsync(file, FeedKind.Incidents, folder, CancellationToken.None);
            expected[blob] = folder;
        }
        Assert.True(expected.Count >= 7, $"expected the 7 shared samples, found {expected.Count}");

        var summary = await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        Assert.Empty(summary.Failures);
        foreach (var run in summary.Feeds)
        {
            Assert.True(run.Outcome == FeedOutcomes.Processed, $"{run.BlobName}: {run.Outcome} {run.Error}");
            Assert.Equal(expected[run.BlobName], run.Format);
            Assert.True(run.Records > 0, $"{run.BlobName}: no records");
            Assert.Equal(0, run.Rejects);
        }
    }

    [Fact]
    public async Task Csv_variants_ndjson_and_gzip_all_match_the_same_request()
    {
        await using var test = new TestStorage();
        await test.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);

        // The same record five ways: ';' with a BOM, tab with quoted newlines, NDJSON, a JSON array, gzip.
        await test.PushAsync("semicolon.csv", "\uFEFFID;Reported_At;Kind;Refs;IOCs;Description\nS1;2026-11-18T01:00:00Z;response;T-100;\"hxxp://bad[.]cn/x\";\"answer; with a semicolon\"\n", FeedKind.Incidents, "liaison-cn");
        await test.PushAsync("tabs.tsv", "record_id\treported_at\tkind\trequest_refs\tindicators\tsummary\nS2\t2026-11-18T01:00:00Z\tresponse\tT-100\t10.20.9.9\t\"line one\nline two\"\n", FeedKind.Incidents, "liaison-cn");
        await test.PushAsync("records.ndjson", "{\"id\":\"S3\",\"reported_at\":\"2026-11-18T01:00:00Z\",\"kind\":\"response\",\"refs\":[\"T-100\"]}\n\n{\"id\":\"S4\",\"reported_at\":\"2026-11-18T02:00:00Z\",\"indicators\":[\"sub.evil-host.cn\"]}\n", FeedKind.Incidents, "liaison-cn");
        await test.PushAsync("records.json", "[{\"record_id\":\"S5\",\"reported_at\":\"2026-11-18T03:00:00+08:00\",\"iocs\":\"10.20.1.1; 10.99.0.1\"}]", FeedKind.Incidents, "liaison-cn");
        var gz = Path.Combine(Directory.CreateTempSubdirectory().FullName, "packed.csv.gz");
        await using (var file = File.Create(gz))
        await using (var zip = new GZipStream(file, CompressionLevel.Optimal))
        {
            await zip.WriteAsync(Encoding.UTF8.GetBytes("record_id,reported_at,indicators\nS6,2026-11-18T04:00:00Z,EVIL-HOST.CN.\n"));
        }
        await test.Host.PushAsync(gz, FeedKind.Incidents, "liaison-cn", CancellationToken.None);

        var summary = await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        Assert.Empty(summary.Failures);
        var formats = summary.Feeds.Where(f => f.FeedKind == "incidents").ToDictionary(f => Path.GetFileName(f.BlobName), f => $"{f.Outcome} {f.Format} {f.Records}{(f.Error is null ? "" : " " + f.Error)}");
        Assert.True(formats.Count == 5, string.Join("\n", formats));
        Assert.Equal("processed csv 1", formats["semicolon.csv"]);
        Assert.Equal("processed csv 1", formats["tabs.tsv"]);
        Assert.Equal("processed ndjson 2", formats["records.ndjson"]);
        Assert.Equal("processed json 1", formats["records.json"]);
        Assert.Equal("processed csv 1", formats["packed.csv.gz"]);

        var matches = await test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable);
        Assert.Equal(
            [
                "S1 T-100 exact", "S1 T-100 reference", "S2 T-100 cidr", "S2 T-100 reference", "S3 T-100 reference",
                "S4 T-200 subdomain", "S5 T-100 cidr", "S6 T-200 exact",
            ],
            matches.Select(m => $"{m.RecordId} {m.RequestId} {m.MatchType}").Order(StringComparer.Ordinal));
        var summaryS2 = Assert.Single(await test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable, "RecordId eq 'S2'"));
        Assert.Equal("line one\nline two", summaryS2.Summary);
    }
}
