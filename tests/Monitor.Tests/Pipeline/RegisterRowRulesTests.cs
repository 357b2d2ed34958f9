using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Pipeline;

/// <summary>Register rows that are accepted only with a reason the user can see: repeated IDs and dates in the future.</summary>
public sealed class RegisterRowRulesTests : IAsyncLifetime
{
    private static readonly Instant Now = Instant.FromUtc(2026, 11, 20, 0, 0);
    private readonly TestStorage _test = new(Now);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _test.DisposeAsync();

    /// <summary>Before: the later row silently replaced the first (high became low, the indicators were lost), with only a warning.</summary>
    [Fact]
    public async Task A_request_id_repeated_in_one_register_is_a_reject_naming_both_lines_and_the_first_row_stands()
    {
        await _test.PushAsync("register.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            D-1,US,CN,investigation,high,2026-11-16T09:00:00+08:00,The real one,203.0.113.9
            D-2,US,CN,investigation,medium,2026-11-16T09:00:00+08:00,Another,
            d-1,US,CN,investigation,low,2026-11-17T09:00:00+08:00,Pasted twice,
            """, FeedKind.Requests);
        var summary = await _test.Host.RunOnceAsync(Now, null, CancellationToken.None);

        var run = Assert.Single(summary.Feeds);
        Assert.Equal((FeedOutcomes.Processed, 2, 1), (run.Outcome, run.Records, run.Rejects));
        var reject = Assert.Single(await _test.ReadAllAsync<RejectEntity>(StorageNames.RejectsTable));
        Assert.Equal(("line 4", "reject", "d-1"), (reject.Location, reject.Severity, reject.RecordId));
        Assert.Contains("duplicate request_id d-1: already at line 2 of this register", reject.Reason);
        Assert.Contains("the one at line 2 kept", reject.Reason);

        var d1 = Assert.Single(await _test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable), r => r.RowKey == "D-1");
        Assert.Equal(("high", "The real one", 1), (d1.Priority, d1.Summary, d1.IndicatorCount));
    }

    [Fact]
    public async Task Dates_more_than_a_day_after_the_ingest_are_kept_with_a_warning()
    {
        await _test.PushAsync("register.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            F-1,US,CN,investigation,high,2027-11-16T09:00:00+08:00,Year mistyped,
            F-2,US,CN,investigation,high,2026-11-20T20:00:00+08:00,Later today in Beijing: fine,
            """, FeedKind.Requests);
        await _test.PushAsync("feed.csv", """
            record_id,reported_at,reporter,kind,request_refs,indicators,summary
            R1,2026-12-20T00:00:00Z,CN,acknowledgement,F-2,,A month ahead
            R2,2026-11-20T10:00:00Z,CN,status-update,F-2,,Ten hours ahead: fine
            """, FeedKind.Incidents, "liaison-cn");
        var summary = await _test.Host.RunOnceAsync(Now, null, CancellationToken.None);

        Assert.All(summary.Feeds, f => Assert.Equal((FeedOutcomes.Processed, 1), (f.Outcome, f.Warnings)));
        var warnings = (await _test.ReadAllAsync<RejectEntity>(StorageNames.RejectsTable)).OrderBy(r => r.RecordId, StringComparer.Ordinal).ToList();
        Assert.Equal(["warning", "warning"], warnings.Select(w => w.Severity));
        Assert.Equal(("F-1", "line 2"), (warnings[0].RecordId, warnings[0].Location));
        Assert.StartsWith("submitted_at 2027-11-16T09:00:00.0000000+08:00 is 361 days after the register was read", warnings[0].Reason);
        Assert.Equal(("R1", "line 2"), (warnings[1].RecordId, warnings[1].Location));
        Assert.StartsWith("record time 2026-12-20T00:00:00.0000000+00:00 is 30 days after the feed was read", warnings[1].Reason);
        Assert.Equal(2, (await _test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable)).Count);
    }
}
