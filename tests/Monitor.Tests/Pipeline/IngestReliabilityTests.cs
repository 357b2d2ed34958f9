using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Pipeline;

/// <summary>Nothing lost, nothing doubled: crashes, bad files and out-of-order delivery against a real Azurite.</summary>
public sealed class IngestReliabilityTests
{
    private static readonly Instant AsOf = Instant.FromUtc(2026, 11, 25, 0, 0);
    // Small write buffers force many flushes, so a crash lands in the middle of the file's writes.
    private static readonly Dictionary<string, string?> SmallBuffers = new() { ["Monitor:WriteBufferEntities"] = "100" };

    [Fact]
    public async Task A_crash_part_way_through_a_file_then_a_retry_ends_with_the_rows_of_a_clean_run()
    {
        var (register, feed) = GenerateScenario(requests: 300, records: 1500);

        await using var clean = new TestStorage(settings: SmallBuffers);
        await clean.PushAsync("register.csv", register, FeedKind.Requests);
        await clean.PushAsync("feed.csv", feed, FeedKind.Incidents, "liaison-cn");
        await clean.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        var expected = await TableSnapshot.TakeAsync(clean);

        var crash = new CrashAfterBatchesPolicy();
        await using var crashed = new TestStorage(settings: SmallBuffers, configure: services =>
            services.AddAzureClients(clients => clients.ConfigureDefaults(options => options.AddPolicy(crash, HttpPipelinePosition.PerCall))));
        await crashed.PushAsync("register.csv", register, FeedKind.Requests);
        var feedBlob = await crashed.PushAsync("feed.csv", feed, FeedKind.Incidents, "liaison-cn");
        var ingestor = crashed.Services.GetRequiredService<FeedIngestor>();
        await ingestor.IngestAsync("requests/register.csv", CancellationToken.None);

        crash.Arm(allowedBatches: 25);
        await Assert.ThrowsAsync<SimulatedCrashException>(() => ingestor.IngestAsync(feedBlob, CancellationToken.None));
        Assert.True(crash.Batches > 25);
        var partial = await crashed.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable);
        Assert.InRange(partial.Count, 1, 2999);   // part of the file's writes landed, not all
        var runs = await crashed.ReadAllAsync<FeedRunEntity>(StorageNames.FeedRunsTable);
        Assert.DoesNotContain(runs, r => r.BlobName == feedBlob);   // no outcome yet: the blob stays pending

        crash.Disarm();
        var summary = await crashed.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        Assert.Equal(FeedOutcomes.Processed, Assert.Single(summary.Feeds).Outcome);
        Assert.Equal(expected, await TableSnapshot.TakeAsync(crashed));
    }

    [Fact]
    public async Task A_malformed_file_is_quarantined_with_a_report_and_does_not_block_the_good_ones()
    {
        await using var test = new TestStorage();
        await test.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);
        await test.PushAsync("broken.json", "{\"type\": \"bundle\", \"objects\": [ {\"type\": \"indicator\", ", FeedKind.Incidents, "cert-x");
        await test.PushAsync("empty.csv", "", FeedKind.Incidents, "cert-x");
        await test.PushAsync("feed.csv", EndToEndTests.Feed, FeedKind.Incidents, "liaison-cn");

        var summary = await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        Assert.Empty(summary.Failures);
        var outcomes = summary.Feeds.ToDictionary(f => f.BlobName, f => f.Outcome);
        Assert.Equal(FeedOutcomes.Processed, outcomes["requests/register.csv"]);
        Assert.Equal(FeedOutcomes.Processed, outcomes["incidents/liaison-cn/feed.csv"]);
        foreach (var bad in new[] { "incidents/cert-x/broken.json", "incidents/cert-x/empty.csv" })
        {
            Assert.Equal(FeedOutcomes.Quarantined, outcomes[bad]);
            Assert.True(await test.Storage.Quarantine.GetBlobClient(bad).ExistsAsync());
            var report = (await test.Storage.Quarantine.GetBlobClient(bad + ".error.json").DownloadContentAsync()).Value.Content.ToString();
            Assert.Contains($"\"blob\": \"{bad}\"", report);
            Assert.Contains("\"outcome\": \"quarantined\"", report);
        }
        Assert.Equal(6, (await test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable)).Count);
    }

    [Fact]
    public async Task A_feed_that_arrives_before_its_register_converges_on_the_same_rows()
    {
        // References only, so that the outcome cannot depend on which requests were indexed when the feed was read.
        // S1, from a reporter of no party, is pending until the register arrives and then related activity, which
        // has no RequestEvents row when read after the register: its resolved pending row must go too.
        const string feed = """
            record_id,reported_at,reporter,kind,request_refs,indicators,summary
            R1,2026-11-16T10:00:00+08:00,CN,acknowledgement,T-100,,Received
            R2,2026-11-18T12:00:00Z,US,status-update,T-200,,Update
            R3,2026-11-19T12:00:00Z,CN,response,T-100,,Answer
            S1,2026-11-17T10:00:00Z,cert-x,sighting,T-100,,Seen again
            """;
        await using var inOrder = new TestStorage();
        await inOrder.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);
        await inOrder.Host.ProcessPendingAsync(null, CancellationToken.None);
        await inOrder.PushAsync("feed.csv", feed, FeedKind.Incidents, "liaison-cn");
        await inOrder.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        await using var reversed = new TestStorage();
        await reversed.PushAsync("feed.csv", feed, FeedKind.Incidents, "liaison-cn");
        await reversed.Host.ProcessPendingAsync(null, CancellationToken.None);
        var pending = await reversed.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable);
        Assert.Equal(4, pending.Count);
        Assert.All(pending, e => Assert.True(e.Pending && e.Effect == "pending"));

        await reversed.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);
        await reversed.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        Assert.Equal(await TableSnapshot.TakeAsync(inOrder), await TableSnapshot.TakeAsync(reversed));
        var resolved = await reversed.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable);
        Assert.All(resolved, e => Assert.False(e.Pending));
        Assert.Equal(["R1", "R2", "R3"], resolved.Select(e => e.RecordId).Order(StringComparer.Ordinal));
        var sighting = Assert.Single(await reversed.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable), m => m.RecordId == "S1");
        Assert.Equal(("sighting", "Seen again", "reference"), (sighting.Kind, sighting.Summary, sighting.MatchTypes));
        var request = Assert.Single(await reversed.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable, "RequestId eq 'T-100'"));
        Assert.Equal(("met", "met"), (request.AckLevel, request.ResponseLevel));
    }

    [Fact]
    public async Task A_feed_with_indicator_sightings_read_before_its_register_converges_on_the_same_rows()
    {
        await using var inOrder = new TestStorage();
        await inOrder.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);
        await inOrder.Host.ProcessPendingAsync(null, CancellationToken.None);
        await inOrder.PushAsync("feed.csv", EndToEndTests.Feed, FeedKind.Incidents, "liaison-cn");
        await inOrder.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        await using var reversed = new TestStorage();
        await reversed.PushAsync("feed.csv", EndToEndTests.Feed, FeedKind.Incidents, "liaison-cn");
        await reversed.Host.ProcessPendingAsync(null, CancellationToken.None);
        // Read with no request open: only the references are kept (as pending events), the sightings match nothing yet.
        Assert.Equal(3, (await reversed.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable)).Count);
        await reversed.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);
        var summary = await reversed.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        Assert.Equal(await TableSnapshot.TakeAsync(inOrder), await TableSnapshot.TakeAsync(reversed));
        // The register's run counts what the feed read again gave its new requests: the cidr, url and subdomain
        // matches (the references were already stored).
        var registerRun = Assert.Single(summary.Feeds);
        Assert.Equal(6, registerRun.Matches);
        Assert.Equal(6, (await reversed.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable)).Count);
    }

    [Fact]
    public async Task A_request_given_a_new_indicator_matches_the_feeds_already_read_and_no_older_than_the_window()
    {
        await using var test = new TestStorage(AsOf, new Dictionary<string, string?> { ["Monitor:RetroMatchDays"] = "30" });
        await test.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);
        await test.PushAsync("feed.csv", EndToEndTests.Feed, FeedKind.Incidents, "liaison-cn");
        await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        Assert.DoesNotContain(await test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable), m => m.Indicator == "ip:192.0.2.1");

        // T-200 gains 192.0.2.1, which record R5 carried.
        await test.PushAsync("register-2.csv", EndToEndTests.Register.Replace(",evil-host.cn", ",evil-host.cn ; 192.0.2.1", StringComparison.Ordinal), FeedKind.Requests);
        await test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        var match = Assert.Single(await test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable), m => m.Indicator == "ip:192.0.2.1");
        Assert.Equal(("T-200", "R5", "exact", "feed.csv"), (match.RequestId, match.RecordId, match.MatchType, Path.GetFileName(match.BlobName)));
        Assert.Single(await test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable), e => e.RequestId == "T-200" && e.RecordId == "R5");
        // The same change 60 days later: the feed is outside the 30-day window and is not read again.
        await using var later = new TestStorage(AsOf, new Dictionary<string, string?> { ["Monitor:RetroMatchDays"] = "30" });
        await later.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);
        await later.PushAsync("feed.csv", EndToEndTests.Feed, FeedKind.Incidents, "liaison-cn");
        await later.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        later.Clock.Advance(Duration.FromDays(60));
        await later.PushAsync("register-2.csv", EndToEndTests.Register.Replace(",evil-host.cn", ",evil-host.cn ; 192.0.2.1", StringComparison.Ordinal), FeedKind.Requests);
        await later.Host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.DoesNotContain(await later.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable), m => m.Indicator == "ip:192.0.2.1");
    }

    [Fact]
    public async Task A_feed_whose_archive_copy_is_gone_is_named_and_the_others_are_still_read_again()
    {
        await using var test = new TestStorage(AsOf);
        await test.PushAsync("feed.csv", EndToEndTests.Feed, FeedKind.Incidents, "liaison-cn");
        await test.PushAsync("other.csv", EndToEndTests.Feed.Replace("R", "Q", StringComparison.Ordinal), FeedKind.Incidents, "liaison-cn");
        await test.Host.ProcessPendingAsync(null, CancellationToken.None);
        var gone = Assert.Single(await test.ReadAllAsync<FeedRunEntity>(StorageNames.FeedRunsTable), r => r.BlobName.EndsWith("/feed.csv", StringComparison.Ordinal));
        await test.Storage.Archive.DeleteBlobAsync(gone.ArchiveBlob);

        await test.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);
        var summary = await test.Host.ProcessPendingAsync(null, CancellationToken.None);

        var register = Assert.Single(summary.Runs, r => r.FeedKind == "requests");
        Assert.Equal((FeedOutcomes.Processed, 1), (register.Outcome, register.Warnings));
        var warning = Assert.Single(await test.ReadAllAsync<RejectEntity>(StorageNames.RejectsTable), r => r.PartitionKey == register.ContentHash);
        Assert.Contains($"feed {gone.BlobName} could not be read again", warning.Reason, StringComparison.Ordinal);
        // The other feed's sightings matched the new requests.
        Assert.Contains(await test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable), m => m.RecordId == "Q3" && m.MatchType == "cidr");
        Assert.DoesNotContain(await test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable), m => m.RecordId == "R3");
    }

    [Fact]
    public async Task A_register_ingest_that_fails_before_its_retro_match_finishes_it_when_retried()
    {
        var failQueries = new FailFeedRunsQueries();
        await using var test = new TestStorage(AsOf, configure: services => services.AddSingleton<IStoragePolicyProvider>(failQueries));
        await test.PushAsync("feed.csv", EndToEndTests.Feed, FeedKind.Incidents, "liaison-cn");
        await test.Host.ProcessPendingAsync(null, CancellationToken.None);
        await test.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);
        var ingestor = test.Services.GetRequiredService<FeedIngestor>();

        failQueries.Armed = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => ingestor.IngestAsync("requests/register.csv", CancellationToken.None));
        // The requests are stored, their new indicators marked as not yet matched against the feed already read.
        Assert.All(await test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable), r => Assert.True(r.RetroPending));
        Assert.Equal(3, (await test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable)).Count);

        failQueries.Armed = false;
        var retried = await ingestor.IngestAsync("requests/register.csv", CancellationToken.None);

        Assert.Equal((FeedOutcomes.Processed, 6), (retried.Outcome, retried.Matches));
        Assert.Equal(6, (await test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable)).Count);
        Assert.All(await test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable), r => Assert.False(r.RetroPending));
    }

    /// <summary>Fails every query of the FeedRuns table (the retro-match's first step) while armed, as a crash there would.</summary>
    private sealed class FailFeedRunsQueries : IStoragePolicyProvider
    {
        public volatile bool Armed;

        public HttpPipelinePosition Position => HttpPipelinePosition.PerCall;

        public HttpPipelinePolicy CreatePolicy(StorageService service) => new Policy(this);

        private sealed class Policy(FailFeedRunsQueries owner) : HttpPipelinePolicy
        {
            public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
            {
                Check(message);
                return ProcessNextAsync(message, pipeline);
            }

            public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
            {
                Check(message);
                ProcessNext(message, pipeline);
            }

            private void Check(HttpMessage message)
            {
                if (owner.Armed && message.Request.Uri.Path.Contains($"{StorageNames.FeedRunsTable}()", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException("injected: the process stops before the retro-match");
                }
            }
        }
    }

    /// <summary>Requests R-0000.. each with one address; each record references one request and carries the next one's address.</summary>
    internal static (string Register, string Feed) GenerateScenario(int requests, int records)
    {
        var register = new StringBuilder("request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators\n");
        for (var i = 0; i < requests; i++)
        {
            register.Append($"R-{i:D4},US,CN,investigation,high,2026-11-16T09:00:00+08:00,Request {i},10.1.{i / 250}.{i % 250 + 1}\n");
        }
        var feed = new StringBuilder("record_id,reported_at,reporter,kind,request_refs,indicators,summary\n");
        for (var i = 0; i < records; i++)
        {
            var target = i % requests;
            var other = (i + 1) % requests;
            var kind = i < requests ? "acknowledgement" : "indicator";
            feed.Append($"F-{i:D5},2026-11-17T{i % 24:D2}:{i % 60:D2}:00Z,CN,{kind},R-{target:D4},10.1.{other / 250}.{other % 250 + 1},Record {i}\n");
        }
        return (register.ToString(), feed.ToString());
    }

    private sealed class SimulatedCrashException() : Exception("simulated crash");

    /// <summary>Lets a number of table transactions through, then fails every call as a dying process would.</summary>
    private sealed class CrashAfterBatchesPolicy : HttpPipelinePolicy
    {
        private volatile bool _armed;
        private int _allowed;
        private int _batches;

        public int Batches => _batches;

        public void Arm(int allowedBatches)
        {
            _allowed = allowedBatches;
            _batches = 0;
            _armed = true;
        }

        public void Disarm() => _armed = false;

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
            if (!_armed)
            {
                return;
            }
            if (message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal) && Interlocked.Increment(ref _batches) <= _allowed)
            {
                return;
            }
            if (_batches > _allowed)
            {
                throw new SimulatedCrashException();
            }
        }
    }
}
