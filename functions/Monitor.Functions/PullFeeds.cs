using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Monitor.Core.Pull;

namespace Monitor.Functions;

/// <summary>
/// Pulls, on the PullFeedsSchedule timer, each source of config/sources.json whose own pull schedule is due; what it
/// lands in the drop zone reaches <see cref="IngestFeed"/> like any dropped file.
/// </summary>
public sealed partial class PullFeeds(FeedPuller puller, ILogger<PullFeeds> logger)
{
    [Function(nameof(PullFeeds))]
    public async Task Run([TimerTrigger("%" + FeedPuller.ScheduleSetting + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        foreach (var pull in await puller.PullDueAsync(cancellationToken))
        {
            if (pull.Failed)
            {
                LogFailed(pull.Line);
            }
            else
            {
                LogPulled(pull.Line);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pull {Line}")]
    private partial void LogFailed(string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pull {Line}")]
    private partial void LogPulled(string line);
}
