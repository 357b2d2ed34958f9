using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Digests;
using Monitor.Core.Ingest;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Sweep;

/// <summary>
/// The sweep's cost follows the number of requests whose level changes, not the number of open requests: it reads
/// only the due schedule entries, their request rows and their timelines.
/// </summary>
public sealed class SweepCostTests : IAsyncLifetime
{
    private const int Open = 500;
    private const int Changing = 5;
    private readonly TestStorage _test = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _test.DisposeAsync();

    [Fact]
    public async Task Second_sweep_reads_at_most_three_entities_per_changed_request_plus_a_constant()
    {
        // All critical (24x7): the acknowledgement is at risk 3h after submission. 495 requests submitted at 00:00 go
        // at risk at 03:00; 5 submitted at 23:00 the day before go at risk at 02:00, and each has one timeline event (a
        // message from the requester, which does not move the clocks), so it costs one read more.
        var register = new StringBuilder("request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators\n");
        var feed = new StringBuilder("record_id,reported_at,reporter,kind,request_refs,indicators,summary\n");
        for (var i = 0; i < Open; i++)
        {
            var early = i >= Open - Changing;
            register.Append($"C-{i:D4},US,CN,investigation,critical,{(early ? "2026-11-15T23:00:00Z" : "2026-11-16T00:00:00Z")},Request {i},\n");
            if (early)
            {
                feed.Append($"M{i},2026-11-15T23:30:00Z,US,comment,C-{i:D4},,More detail\n");
            }
        }
        await _test.PushAsync("register.csv", register.ToString(), FeedKind.Requests);
        await _test.PushAsync("feed.csv", feed.ToString(), FeedKind.Incidents, "liaison");
        var (_, failures) = await _test.Host.ProcessPendingAsync(null, CancellationToken.None);
        Assert.Empty(failures);
        var kit = new SweepTestKit(_test);

        var first = await kit.SweepAsync("2026-11-16T01:30:00Z");
        Assert.Equal(Open, first.RequestsEvaluated);
        // First sweep: every request is new (one dirty entry and one row each) plus the 5 events.
        Assert.Equal(Open + Open + Changing, first.EntitiesRead);
        Assert.Empty(first.Alerts);

        var second = await kit.SweepAsync("2026-11-16T02:30:00Z");

        Assert.Equal((Changing, Changing, Changing), (second.DueEntries, second.RequestsEvaluated, second.LevelChanges));
        Assert.Equal(Changing, second.Alerts.Count);
        // Per changed request: its schedule entry, its row and its one event.
        Assert.Equal(3 * Changing, second.EntitiesRead);
        Assert.True(second.EntitiesRead <= 3 * second.LevelChanges + 2, $"{second.EntitiesRead} entities read for {second.LevelChanges} changes");
        var levels = await kit.LevelsAsync();
        Assert.Equal(Changing, levels.Count(l => l.EndsWith(" at-risk", StringComparison.Ordinal)));
        Assert.Equal(Open - Changing, levels.Count(l => l.EndsWith(" pending", StringComparison.Ordinal)));

        // The digest at the same instant reads only the 5 rows that need attention (and the one partition's first row), not
        // all 500, and no timeline: the rows answer for the instant they were evaluated at.
        var digest = await _test.Services.GetRequiredService<DigestBuilder>().BuildAsync(SweepTestKit.At("2026-11-16T02:30:00Z"), CancellationToken.None);
        Assert.Equal(Changing, digest.Items.Count);
        Assert.Equal(1 + Changing, digest.EntitiesRead);
        Assert.Equal(0, digest.TimelinesRead);
    }
}
