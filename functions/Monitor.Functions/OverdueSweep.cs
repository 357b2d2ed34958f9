using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Monitor.Core.Sweep;
using NodaTime;

namespace Monitor.Functions;

/// <summary>The scheduled overdue sweep. Levels come from state, so a missed run (IsPastDue) is simply caught up.</summary>
public sealed partial class OverdueSweep(OverdueSweeper sweeper, IClock clock, ILogger<OverdueSweep> logger)
{
    [Function(nameof(OverdueSweep))]
    public async Task Run([TimerTrigger("%OverdueSweepSchedule%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        var result = await sweeper.SweepAsync(clock.GetCurrentInstant(), cancellationToken);
        if (result.SkippedBecause is { } reason)
        {
            LogSkipped(reason);
            return;
        }
        LogSwept(timer.IsPastDue, result.RequestsEvaluated, result.Alerts.Count);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Overdue sweep: {Reason}")]
    private partial void LogSkipped(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Overdue sweep (past due: {PastDue}): {Requests} requests evaluated, {Alerts} alerts")]
    private partial void LogSwept(bool pastDue, int requests, int alerts);
}
