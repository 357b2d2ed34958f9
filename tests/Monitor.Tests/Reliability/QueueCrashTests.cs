using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Alerts;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using Monitor.Tests.Sweep;

namespace Monitor.Tests.Reliability;

/// <summary>
/// The queue delivery goes through the outbox (#19 item 9): a sweep that dies between writing its alert rows and sending
/// their queue messages leaves outbox rows, and the next sweep sends each message once, with no second alert row.
/// </summary>
public sealed class QueueCrashTests
{
    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators
        Q-1,US,CN,investigation,critical,2026-11-16T00:00:00Z,Needs an answer,
        """;

    [Fact]
    public async Task A_sweep_killed_before_the_queue_send_is_completed_by_the_next_sweep_once()
    {
        var kill = new KillAtFirstQueueSend();
        await using var test = new TestStorage(settings: new Dictionary<string, string?> { ["Alerts:DigestEnabled"] = "false" },
            configure: services => services.AddSingleton<IStoragePolicyProvider>(kill));
        await test.PushAsync("register.csv", Register, FeedKind.Requests);
        Assert.Empty((await test.Host.ProcessPendingAsync(null, CancellationToken.None)).Failures);
        var kit = new SweepTestKit(test);
        await kit.SweepAsync("2026-11-16T01:00:00Z");

        kill.Armed = true;
        await Assert.ThrowsAsync<ProcessKilledException>(() => kit.SweepAsync("2026-11-16T04:30:00Z"));

        // The point of death: both alert rows are written, neither is queued, and the outbox holds their queue deliveries.
        var written = await kit.AlertRowsAsync();
        Assert.Equal(["Q-1|acknowledgement|at-risk|0000 pending->at-risk 11-16 03:00 2026-11", "Q-1|acknowledgement|overdue|0000 at-risk->overdue 11-16 04:00 2026-11"], written);
        Assert.All(await kit.AlertsAsync(), a => Assert.False(a.Queued));
        Assert.Empty(await kit.DrainQueueAsync());
        Assert.Equal(2, (await Outbox(test)).Count(o => o.Channel == DeliveryChannels.Queue));

        kill.Armed = false;
        var next = await kit.SweepAsync("2026-11-16T04:30:00Z");
        var again = await kit.SweepAsync("2026-11-16T04:30:00Z");

        Assert.Equal(0, next.DueEntries);
        Assert.Empty(next.Alerts);
        Assert.Equal(new DeliveryRound(Delivered: 2, Failed: 0, Deferred: 0, Retried: 2, EntitiesRead: 6), next.Deliveries);
        Assert.Equal(DeliveryRound.None, again.Deliveries);
        Assert.Equal(["Q-1|acknowledgement|at-risk|0000", "Q-1|acknowledgement|overdue|0000"], await kit.DrainQueueAsync());
        Assert.Equal(written, await kit.AlertRowsAsync());
        Assert.All(await kit.AlertsAsync(), a => Assert.True(a.Queued));
        Assert.Empty(await Outbox(test));
        Assert.All(await kit.DeliveriesAsync(), d => Assert.Equal((DeliveryStatuses.Delivered, 1), (d.Status, d.Attempts)));
    }

    private static Task<List<OutboxEntity>> Outbox(TestStorage test) =>
        test.ReadAllAsync<OutboxEntity>(StorageNames.SweepScheduleTable, $"PartitionKey eq '{OutboxEntity.Partition}'");

    private sealed class ProcessKilledException() : Exception("killed at the queue send (test hook)");

    /// <summary>While armed, the first queue message send throws before it reaches the service: the process "dies" there.</summary>
    private sealed class KillAtFirstQueueSend : IStoragePolicyProvider
    {
        public volatile bool Armed;

        public HttpPipelinePosition Position => HttpPipelinePosition.PerCall;

        public HttpPipelinePolicy CreatePolicy(StorageService service) => new Policy(this, service);

        private sealed class Policy(KillAtFirstQueueSend owner, StorageService service) : HttpPipelinePolicy
        {
            public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) =>
                ProcessAsync(message, pipeline).AsTask().GetAwaiter().GetResult();

            public override ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
            {
                if (owner.Armed && service == StorageService.Queue && message.Request.Method == RequestMethod.Post
                    && message.Request.Uri.Path.EndsWith("/messages", StringComparison.Ordinal))
                {
                    throw new ProcessKilledException();
                }
                return ProcessNextAsync(message, pipeline);
            }
        }
    }
}
