using Microsoft.Extensions.Options;
using Monitor.Core.Storage;

namespace Monitor.Core.Ingest;

/// <summary>
/// Gives stored events the effect their request's current parties imply: pending events once their request is
/// registered (from both sides, register and feed, so a race between them converges), and every event of a request
/// whose parties changed. A request with a changed event is marked for the sweep. Safe to run twice.
/// </summary>
public sealed class EventReassessment(RequestStore requests, RequestEventStore events, SweepScheduleStore schedule, IOptions<MonitorOptions> options)
{
    /// <summary>Resolves the pending events of these requests; returns the events rewritten.</summary>
    public Task<int> ResolvePendingAsync(IEnumerable<string> requestIds, CancellationToken cancellationToken) =>
        ReassessAsync(requestIds, events.PendingAsync, cancellationToken);

    /// <summary>Re-derives the effect of every stored event of these requests; returns the events rewritten.</summary>
    public Task<int> ReassessAllAsync(IEnumerable<string> requestIds, CancellationToken cancellationToken) =>
        ReassessAsync(requestIds, events.AllAsync, cancellationToken);

    private async Task<int> ReassessAsync(IEnumerable<string> requestIds, Func<string, CancellationToken, Task<List<RequestEventEntity>>> read, CancellationToken cancellationToken)
    {
        var rewritten = 0;
        foreach (var requestId in requestIds)
        {
            var stored = await read(requestId, cancellationToken);
            if (stored.Count == 0 || await requests.FindAsync(requestId, cancellationToken) is not { } request)
            {
                continue;
            }
            var changed = new List<RequestEventEntity>();
            foreach (var e in stored)
            {
                var effect = EventKinds.EffectOf(e.Kind, e.ReporterParty, request.RequestingParty, request.RespondingParty);
                if (e.Pending || e.Effect != effect)
                {
                    e.Pending = false;
                    // The feed may have spelt the ID in another case: show the register's spelling.
                    e.RequestId = request.RequestId;
                    e.Effect = effect;
                    changed.Add(e);
                }
            }
            if (changed.Count == 0)
            {
                continue;
            }
            await events.ReplaceAsync(changed, options.Value.WriteParallelism, cancellationToken);
            await schedule.MarkDirtyAsync(request.RequestId, request.PartitionKey, cancellationToken);
            rewritten += changed.Count;
        }
        return rewritten;
    }
}
