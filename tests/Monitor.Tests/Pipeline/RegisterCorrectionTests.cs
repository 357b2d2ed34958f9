using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Pipeline;

/// <summary>A register row that corrects a request's parties changes which stored events count on its timeline.</summary>
public sealed class RegisterCorrectionTests : IAsyncLifetime
{
    private const string Header = "request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators";
    private static readonly Instant AsOf = Instant.FromUtc(2026, 11, 18, 12, 0);
    private readonly TestStorage _test = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _test.DisposeAsync();

    [Fact]
    public async Task Correcting_a_mistyped_responding_party_puts_its_acknowledgement_on_the_timeline()
    {
        // "CM" is a typo for CN: CN's acknowledgement is only related activity while CN is not a party.
        await _test.PushAsync("register.csv", $"{Header}\nT-100,US,CM,investigation,high,2026-11-16T09:00:00+08:00,First request,\n", FeedKind.Requests);
        await _test.PushAsync("feed.csv", """
            record_id,reported_at,reporter,kind,request_refs,indicators,summary
            R1,2026-11-16T10:00:00+08:00,CN,acknowledgement,T-100,,Received
            """, FeedKind.Incidents, "liaison-cn");
        var first = await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        // The unknown party is named at once, and the sweep goes on without its clocks.
        var warning = Assert.Single(await _test.ReadAllAsync<RejectEntity>(StorageNames.RejectsTable));
        Assert.Equal(("warning", "line 2", "T-100"), (warning.Severity, warning.Location, warning.RecordId));
        Assert.Contains("responding party 'CM' has no business calendar", warning.Reason, StringComparison.Ordinal);
        var problem = Assert.Single(first.Sweep.Problems);
        Assert.Equal("T-100", problem.RequestId);
        Assert.Contains("'CM'", problem.Reason, StringComparison.Ordinal);
        // Related activity has no event row: its Matches row holds it, with what the correction needs to promote it.
        Assert.Empty(await _test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable));
        var match = Assert.Single(await _test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable));
        Assert.Equal(("acknowledgement", "CN", "Received"), (match.Kind, match.ReporterParty, match.Summary));

        await _test.PushAsync("register-fixed.csv", $"{Header}\nT-100,US,CN,investigation,high,2026-11-16T09:00:00+08:00,First request,\n", FeedKind.Requests);
        var summary = await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        Assert.Empty(summary.Failures);
        Assert.Equal("timeline", Assert.Single(await _test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable)).Effect);
        var request = Assert.Single(await _test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable));
        Assert.Equal(("CN", "met"), (request.PartitionKey, request.AckLevel));
        var run = Assert.Single(await _test.ReadAllAsync<FeedRunEntity>(StorageNames.FeedRunsTable), r => r.BlobName.EndsWith("register-fixed.csv", StringComparison.Ordinal));
        Assert.Equal(1, run.Events);
    }

    [Fact]
    public async Task A_party_change_takes_an_event_off_the_timeline_into_matches_and_back()
    {
        var register = await RegisterWithCnAcknowledgementAsync();
        Assert.Equal("timeline", Assert.Single(await _test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable)).Effect);

        // Now JP responds: CN's acknowledgement is related activity, kept in Matches alone.
        await _test.PushAsync("register-jp.csv", register.Replace(",US,CN,", ",US,JP,", StringComparison.Ordinal), FeedKind.Requests);
        await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        Assert.Empty(await _test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable));
        var related = Assert.Single(RequestTimeline.Merge([], await _test.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable)));
        Assert.Equal(("R1", "related-activity", "CN"), (related.RecordId, related.Effect, related.ReporterParty));

        await _test.PushAsync("register-cn.csv", register.Replace("First request", "Back to CN", StringComparison.Ordinal), FeedKind.Requests);
        await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        var back = Assert.Single(await _test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable));
        Assert.Equal(("R1", "timeline", "Received"), (back.RecordId, back.Effect, back.Summary));
        Assert.Equal(("CN", "met"), (Assert.Single(await _test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable)) is var r ? (r.PartitionKey, r.AckLevel) : default));
    }

    [Fact]
    public async Task Re_registering_with_the_same_parties_rewrites_no_event()
    {
        var register = await RegisterWithCnAcknowledgementAsync();

        await _test.PushAsync("register-again.csv", register.Replace("First request", "Summary edited", StringComparison.Ordinal), FeedKind.Requests);
        await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);

        var run = Assert.Single(await _test.ReadAllAsync<FeedRunEntity>(StorageNames.FeedRunsTable), r => r.BlobName.EndsWith("register-again.csv", StringComparison.Ordinal));
        Assert.Equal(0, run.Events);
        Assert.Equal("timeline", Assert.Single(await _test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable)).Effect);
    }

    /// <summary>T-100 (US asks, CN responds) and CN's acknowledgement of it, run once; returns the register.</summary>
    private async Task<string> RegisterWithCnAcknowledgementAsync()
    {
        var register = $"{Header}\nT-100,US,CN,investigation,high,2026-11-16T09:00:00+08:00,First request,\n";
        await _test.PushAsync("register.csv", register, FeedKind.Requests);
        await _test.PushAsync("feed.csv", """
            record_id,reported_at,reporter,kind,request_refs,indicators,summary
            R1,2026-11-16T10:00:00+08:00,CN,acknowledgement,T-100,,Received
            """, FeedKind.Incidents, "liaison-cn");
        await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        return register;
    }
}
