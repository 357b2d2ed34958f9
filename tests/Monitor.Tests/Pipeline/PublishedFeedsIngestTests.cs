using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Pipeline;

/// <summary>
/// The small files of Feeds/Samples (this project's own values, in the layouts of URLhaus, ThreatFox, OTX, a MISP feed
/// index and an ATT&amp;CK-style bundle) pushed unedited under a source that sources.json does not name, against a register.
/// </summary>
public sealed class PublishedFeedsIngestTests
{
    private static readonly Instant AsOf = Instant.FromUtc(2026, 11, 20, 0, 0);

    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        R-01,US,CN,investigation,high,2026-11-16T09:00:00+08:00,Downloader,http://dl.test-a.example/p.exe
        R-02,US,CN,mitigation,high,2026-11-16T09:00:00+08:00,C2 host,c2.test-c.example
        R-03,US,CN,mitigation,high,2026-11-16T09:00:00+08:00,C2 address,198.51.100.23
        R-04,CN,US,information,low,2026-11-18T09:00:00-05:00,Control,c2.test-c.example.control.example
        """;

    // An indicator whose "request" external references hold a CVE and an ATT&CK-cited ID: neither is a request reference.
    private const string BundleWithForeignIds = """
        {"type": "bundle", "id": "bundle--9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", "objects": [
         {"type": "indicator", "spec_version": "2.1", "id": "indicator--8a7b6c5d-4e3f-4a2b-9c1d-0e9f8a7b6c5d", "created": "2026-11-19T00:00:00Z", "modified": "2026-11-19T00:00:00Z",
          "pattern_type": "stix", "pattern": "[domain-name:value = 'unrelated.test-e.example']", "valid_from": "2026-11-19T00:00:00Z",
          "external_references": [{"source_name": "request", "external_id": "CVE-2026-0001"}, {"source_name": "request", "external_id": "APP-0"}]}
        ]}
        """;

    private static string Sample(string name) => Path.Combine(RepoPaths.Root, "tests", "Monitor.Tests", "Feeds", "Samples", name);

    [Fact]
    public async Task Each_published_layout_is_processed_and_matches_exactly_its_requests()
    {
        await using var test = new TestStorage();
        await test.PushAsync("register.csv", Register, FeedKind.Requests);
        foreach (var name in new[] { "urlhaus-style.csv", "otx-indicators.ndjson", "threatfox-api.ndjson", "manifest.json", "attack-style-bundle.json" })
        {
            await test.Host.PushAsync(Sample(name), FeedKind.Incidents, "feed-a", CancellationToken.None);
        }
        await test.PushAsync("foreign-ids.json", BundleWithForeignIds, FeedKind.Incidents, "feed-a");

        var summary = await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        Assert.Empty(summary.Failures);
        var runs = summary.Feeds.Where(f => f.FeedKind == "incidents").ToDictionary(f => Path.GetFileName(f.BlobName));
        Assert.All(runs.Values, r => Assert.True(r.Outcome == FeedOutcomes.Processed, $"{r.BlobName}: {r.Outcome} {r.Error}"));
        Assert.Equal("mispmanifest", runs["manifest.json"].Format);
        Assert.Equal(0, runs["attack-style-bundle.json"].Records);

        var matches = await test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable);
        Assert.Equal(
            [
                "otx-indicators.ndjson R-02 exact", "otx-indicators.ndjson R-03 exact",
                "threatfox-api.ndjson R-02 exact", "urlhaus-style.csv R-01 exact",
            ],
            matches.Select(m => $"{Path.GetFileName(m.BlobName)} {m.RequestId} {m.MatchType}").Order(StringComparer.Ordinal));

        // OTX lines carry no time: related activity at the file's time, with a warning each; nothing pending anywhere.
        var stored = await test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable);
        Assert.DoesNotContain(stored, e => e.Pending);
        var events = RequestTimeline.Merge(stored, matches);
        var otx = events.Where(e => e.BlobName.EndsWith("otx-indicators.ndjson", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, otx.Count);
        Assert.All(otx, e => Assert.Equal(runs["otx-indicators.ndjson"].BlobLastModified, e.OccurredAt));
        Assert.All(otx, e => Assert.Equal("related-activity", e.Effect));

        var warnings = (await test.ReadAllAsync<RejectEntity>(StorageNames.RejectsTable)).Where(r => r.Severity == "warning").ToList();
        string[] Of(string file) => [.. warnings.Where(w => w.BlobName.EndsWith(file, StringComparison.Ordinal)).Select(w => w.Reason).Order(StringComparer.Ordinal)];
        Assert.Equal(2, Of("otx-indicators.ndjson").Count(r => r.StartsWith("record has no time: its match to R-0", StringComparison.Ordinal)));
        Assert.Contains("indicator type 'Mutex' is not one this system matches: the record's value was not read", Of("otx-indicators.ndjson"));
        Assert.StartsWith("this is a MISP feed index (manifest.json)", Assert.Single(Of("manifest.json")));
        Assert.Equal(["4 STIX objects of types that hold no indicators were not read: attack-pattern ×2, course-of-action ×1, x-mitre-tactic ×1"], Of("attack-style-bundle.json"));
        Assert.Equal(["reference ignored, not a request ID (a URL, or a CVE, CWE, CAPEC or ATT&CK-catalogue ID): CVE-2026-0001, APP-0"], Of("foreign-ids.json"));
        Assert.Equal(["columns not used: url_status, last_online, urlhaus_link"], Of("urlhaus-style.csv"));
        Assert.Equal(0, runs["foreign-ids.json"].PendingEvents);
    }

    [Fact]
    public async Task A_record_without_a_time_that_would_move_a_clock_is_rejected()
    {
        await using var test = new TestStorage();
        await test.PushAsync("register.csv", Register, FeedKind.Requests);
        await test.PushAsync("ack.csv", "record_id,reporter,kind,request_refs\nA-1,CN,acknowledgement,R-01\n", FeedKind.Incidents, "feed-a");

        var summary = await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        var run = Assert.Single(summary.Feeds, f => f.FeedKind == "incidents");
        Assert.Equal(1, run.Rejects);
        var reject = Assert.Single(await test.ReadAllAsync<RejectEntity>(StorageNames.RejectsTable));
        Assert.Equal("record matches request R-01 and would move its SLA clocks, but has no reported_at time to place it on the timeline", reject.Reason);
        Assert.Empty(await test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable));
    }
}
