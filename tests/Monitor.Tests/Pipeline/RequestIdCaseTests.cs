using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Pipeline;

/// <summary>Request IDs are one request whatever their case: in feeds, in registers, and in the keys built from them.</summary>
public sealed class RequestIdCaseTests : IAsyncLifetime
{
    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        T-100,US,CN,investigation,high,2026-11-16T09:00:00+08:00,First request,
        """;

    private static readonly Instant AsOf = Instant.FromUtc(2026, 11, 18, 12, 0);
    private readonly TestStorage _test = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _test.DisposeAsync();

    [Fact]
    public async Task An_acknowledgement_that_spells_the_id_in_lower_case_before_the_register_arrives_still_stops_the_clock()
    {
        await _test.PushAsync("feed.csv", """
            record_id,reported_at,reporter,kind,request_refs,indicators,summary
            R1,2026-11-16T10:00:00+08:00,CN,acknowledgement,t-100,,Received
            """, FeedKind.Incidents, "liaison-cn");
        var first = await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        Assert.Empty(first.Failures);
        Assert.True(Assert.Single(await _test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable)).Pending);

        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        var second = await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        Assert.Empty(second.Failures);

        var e = Assert.Single(await _test.ReadAllAsync<RequestEventEntity>(StorageNames.RequestEventsTable));
        Assert.Equal(("T-100", "T-100", false, "timeline"), (e.PartitionKey, e.RequestId, e.Pending, e.Effect));
        var request = Assert.Single(await _test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable));
        Assert.Equal("met", request.AckLevel);
        Assert.Equal(DateTimeOffset.Parse("2026-11-16T02:00:00Z"), request.AckMetAt);
        Assert.DoesNotContain(await _test.ReadAllAsync<AlertEntity>(StorageNames.AlertsTable), a => a.Clock == "ack");
    }

    [Fact]
    public async Task A_register_row_in_another_case_updates_the_same_request()
    {
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        await _test.PushAsync("register-2.csv", """
            request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
            t-100,US,CN,investigation,high,2026-11-16T09:00:00+08:00,Summary corrected,
            """, FeedKind.Requests);
        var summary = await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        Assert.Empty(summary.Failures);

        var request = Assert.Single(await _test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable));
        Assert.Equal(("T-100", "Summary corrected"), (request.RowKey, request.Summary));
    }
}
