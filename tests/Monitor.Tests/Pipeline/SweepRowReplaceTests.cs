using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Pipeline;

public sealed class SweepRowReplaceTests
{
    /// <summary>A column that had a value and has none after a later sweep must be empty, not stale.</summary>
    [Fact]
    public async Task When_no_level_can_change_any_more_NextChangeAt_and_ScheduleKey_are_cleared()
    {
        await using var test = new TestStorage();
        await test.PushAsync("register.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            T-1,US,CN,investigation,high,2026-11-16T09:00:00+08:00,Open request,
            """, FeedKind.Requests);
        await test.Host.RunOnceAsync(Instant.FromUtc(2026, 11, 16, 3, 0), null, CancellationToken.None);
        var open = Assert.Single(await test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable));
        Assert.NotNull(open.NextChangeAt);
        Assert.NotNull(open.ScheduleKey);

        // The register closes the request: every clock stops, nothing will change again.
        await test.PushAsync("register-closed.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators,status,status_changed_at
            T-1,US,CN,investigation,high,2026-11-16T09:00:00+08:00,Open request,,closed,2026-11-16T12:00:00+08:00
            """, FeedKind.Requests);
        await test.Host.RunOnceAsync(Instant.FromUtc(2026, 11, 17, 0, 0), null, CancellationToken.None);

        var closed = Assert.Single(await test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable));
        Assert.Equal("closed", closed.Status);
        Assert.Null(closed.NextChangeAt);
        Assert.Null(closed.ScheduleKey);
        Assert.Empty(await test.ReadAllAsync<ScheduleEntity>(StorageNames.SweepScheduleTable));
    }

    /// <summary>An event that moves a request's next change leaves one schedule entry, at the new instant, not two.</summary>
    [Fact]
    public async Task An_event_before_the_scheduled_change_replaces_the_schedule_entry()
    {
        await using var test = new TestStorage();
        await test.PushAsync("register.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            T-1,US,CN,investigation,high,2026-11-16T09:00:00+08:00,Open request,
            """, FeedKind.Requests);
        // 10:00 +08: the acknowledgement (due 17:00 +08) turns at-risk at 15:00 +08 = 07:00Z.
        await test.Host.RunOnceAsync(Instant.FromUtc(2026, 11, 16, 2, 0), null, CancellationToken.None);
        var before = Assert.Single(await test.ReadAllAsync<ScheduleEntity>(StorageNames.SweepScheduleTable));
        Assert.Equal(DateTimeOffset.Parse("2026-11-16T07:00:00Z"), before.DueAt);

        await test.PushAsync("ack.csv", """
            record_id,reported_at,reporter,kind,request_refs
            A1,2026-11-16T03:00:00Z,CN,acknowledgement,T-1
            """, FeedKind.Incidents, "liaison-cn");
        await test.Host.RunOnceAsync(Instant.FromUtc(2026, 11, 16, 4, 0), null, CancellationToken.None);

        var row = Assert.Single(await test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable));
        Assert.Equal("met", row.AckLevel);
        var after = Assert.Single(await test.ReadAllAsync<ScheduleEntity>(StorageNames.SweepScheduleTable));
        Assert.Equal(row.NextChangeAt, after.DueAt);
        Assert.Equal(row.ScheduleKey, after.RowKey);
        Assert.NotEqual(before.RowKey, after.RowKey);
    }
}
