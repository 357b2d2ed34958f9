namespace Monitor.Core.Storage;

/// <summary>The storage contract: container, table and queue names (documented in the README).</summary>
public sealed class StorageNames(string prefix = "")
{
    public const string IncomingContainer = "incoming";
    public const string ArchiveContainer = "archive";
    public const string QuarantineContainer = "quarantine";
    public const string ReportsContainer = "reports";
    public const string ConfigContainer = "config";

    public const string RequestsTable = "Requests";
    public const string RequestEventsTable = "RequestEvents";
    public const string MatchesTable = "Matches";
    public const string AlertsTable = "Alerts";
    /// <summary>One row per delivery of an alert (route and channel): status, attempts, last error.</summary>
    public const string AlertDeliveriesTable = "AlertDeliveries";
    public const string FeedRunsTable = "FeedRuns";
    public const string RejectsTable = "Rejects";
    /// <summary>Internal: the next instant at which each request's level can change, so the sweep reads only those.</summary>
    public const string SweepScheduleTable = "SweepSchedule";
    public const string PeriodStatsTable = "PeriodStats";
    /// <summary>Where each pulled source stands: cursor, HTTP validators, MISP events taken, last success and error.</summary>
    public const string PullStateTable = "PullState";

    public const string AlertsQueue = "overdue-alerts";

    /// <summary>Drop-zone folders inside <see cref="IncomingContainer"/>.</summary>
    public const string RequestsFolder = "requests/";
    public const string IncidentsFolder = "incidents/";

    public string Prefix { get; } = prefix;

    public string Container(string name) => Prefix.Length == 0 ? name : $"{Prefix}-{name}";
    public string Table(string name) => Prefix + name;
    public string Queue(string name) => Prefix.Length == 0 ? name : $"{Prefix}-{name}";

    public static readonly string[] Containers = [IncomingContainer, ArchiveContainer, QuarantineContainer, ReportsContainer, ConfigContainer];
    public static readonly string[] Tables = [RequestsTable, RequestEventsTable, MatchesTable, AlertsTable, AlertDeliveriesTable, FeedRunsTable, RejectsTable, SweepScheduleTable, PeriodStatsTable, PullStateTable];
}
