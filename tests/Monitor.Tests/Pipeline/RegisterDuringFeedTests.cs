using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using Monitor.Tests.Reliability;
using NodaTime;

namespace Monitor.Tests.Pipeline;

/// <summary>
/// A register ingested (on another host) while a feed is being read: the feed loaded its index of open requests
/// before the register landed, and the register's retro-match did not see the feed (not processed yet). The feed
/// notices the newer index when it ends and reads itself again for the new requests.
/// </summary>
public sealed class RegisterDuringFeedTests
{
    private static readonly Instant AsOf = Instant.FromUtc(2026, 11, 25, 0, 0);

    [Fact]
    public async Task A_register_that_lands_while_a_feed_is_read_still_gets_the_feeds_indicator_matches()
    {
        var hold = new HoldAfterFirstIndexLoad();
        await using var feedHost = new TestStorage(AsOf, configure: services => services.AddSingleton<IStoragePolicyProvider>(hold));
        await feedHost.PushAsync("feed.csv", EndToEndTests.Feed, FeedKind.Incidents, "liaison-cn");
        await feedHost.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);

        var feedBlob = "incidents/liaison-cn/feed.csv";
        var reading = Task.Run(() => feedHost.Services.GetRequiredService<FeedIngestor>().IngestAsync(feedBlob, CancellationToken.None));
        await hold.IndexLoaded.Task.WaitAsync(TimeSpan.FromMinutes(1));
        await using (var registerHost = ReliabilityData.ServicesFor(AzuriteServer.ConnectionString, feedHost.Prefix, feedHost.Clock))
        {
            var register = await registerHost.GetRequiredService<FeedIngestor>().IngestAsync("requests/register.csv", CancellationToken.None);
            Assert.Equal(FeedOutcomes.Processed, register.Outcome);
            Assert.Equal(0, register.Matches);
        }
        hold.Release.SetResult();
        var feed = await reading;

        Assert.Equal(FeedOutcomes.Processed, feed.Outcome);
        Assert.Equal(6, feed.Matches);
        await using var inOrder = new TestStorage(AsOf);
        await inOrder.PushAsync("register.csv", EndToEndTests.Register, FeedKind.Requests);
        await inOrder.Host.ProcessPendingAsync(null, CancellationToken.None);
        await inOrder.PushAsync("feed.csv", EndToEndTests.Feed, FeedKind.Incidents, "liaison-cn");
        await inOrder.Host.ProcessPendingAsync(null, CancellationToken.None);
        var expected = (await inOrder.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable)).Select(m => m.RowKey).Order(StringComparer.Ordinal);
        var actual = (await feedHost.ReadAllAsync<MatchEntity>(StorageNames.MatchesTable)).Select(m => m.RowKey).Order(StringComparer.Ordinal);
        Assert.Equal(expected, actual);
    }

    /// <summary>Holds the feed host right after its first query of the Requests table (the index load) returns.</summary>
    private sealed class HoldAfterFirstIndexLoad : IStoragePolicyProvider
    {
        private int _seen;

        public TaskCompletionSource IndexLoaded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public HttpPipelinePosition Position => HttpPipelinePosition.PerCall;

        public HttpPipelinePolicy CreatePolicy(StorageService service) => new Policy(this);

        private sealed class Policy(HoldAfterFirstIndexLoad owner) : HttpPipelinePolicy
        {
            public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
            {
                await ProcessNextAsync(message, pipeline);
                if (IsRequestsQuery(message) && Interlocked.Increment(ref owner._seen) == 1)
                {
                    owner.IndexLoaded.SetResult();
                    await owner.Release.Task;
                }
            }

            public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => ProcessNext(message, pipeline);

            private static bool IsRequestsQuery(HttpMessage message) =>
                message.Request.Method == RequestMethod.Get && message.Request.Uri.Path.Contains($"{StorageNames.RequestsTable}()", StringComparison.Ordinal);
        }
    }
}
