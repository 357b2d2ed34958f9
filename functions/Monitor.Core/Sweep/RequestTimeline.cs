using Azure.Data.Tables;
using Monitor.Core.Config;
using Monitor.Core.Ingest;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Sweep;

/// <summary>Reads what the clock engine needs about one request: its row and the events that drive its clocks.</summary>
public static class RequestTimeline
{
    /// <summary>The Requests row of <paramref name="requestId"/> (exact ID), whatever its responding party; null if there is none.</summary>
    public static async Task<RequestEntity?> FindAsync(MonitorStorage storage, string requestId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"RowKey eq {KeyEncoding.RequestKey(requestId)}");
        await foreach (var row in storage.Requests.QueryAsync<RequestEntity>(filter, maxPerPage: 10, cancellationToken: cancellationToken))
        {
            return row;
        }
        return null;
    }

    /// <summary>Every RequestEvents row of the request (timeline, related activity and pending), oldest first.</summary>
    public static async Task<List<RequestEventEntity>> ReadAllEventsAsync(MonitorStorage storage, string requestId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {KeyEncoding.RequestKey(requestId)}");
        var events = new List<RequestEventEntity>();
        await foreach (var e in storage.RequestEvents.QueryAsync<RequestEventEntity>(filter, cancellationToken: cancellationToken))
        {
            events.Add(e);
        }
        return [.. events.OrderBy(e => e.OccurredAt).ThenBy(e => e.RowKey, StringComparer.Ordinal)];
    }

    /// <summary>The events with Effect = timeline, as the engine takes them (the same query the sweep makes).</summary>
    public static async Task<List<SlaEvent>> ReadClockEventsAsync(MonitorStorage storage, string requestId, CancellationToken cancellationToken)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {KeyEncoding.RequestKey(requestId)} and Effect eq {EventKinds.TimelineEffect}");
        var timeline = new List<SlaEvent>();
        await foreach (var e in storage.RequestEvents.QueryAsync<RequestEventEntity>(filter, select: ["RowKey", "OccurredAt", "Kind", "ReporterParty"], cancellationToken: cancellationToken))
        {
            timeline.Add(ToSlaEvent(e));
        }
        return timeline;
    }

    public static SlaEvent ToSlaEvent(RequestEventEntity e) => new(Instant.FromDateTimeOffset(e.OccurredAt), e.Kind, e.ReporterParty, e.RowKey);

    /// <summary>The calendar a clock was computed on: the built-in 24x7 one or a party's.</summary>
    public static BusinessCalendar CalendarOf(ClockState clock, ConfigSnapshot config) =>
        string.Equals(clock.CalendarName, BusinessCalendar.ContinuousName, StringComparison.OrdinalIgnoreCase)
            ? BusinessCalendar.Continuous
            : config.CalendarOf(clock.CalendarName)
              ?? throw new SlaConfigurationException($"the {clock.Kind} clock was computed on calendar '{clock.CalendarName}', which the configuration no longer has");
}
