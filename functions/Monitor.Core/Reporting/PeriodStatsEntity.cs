using Azure;
using System.Text.Json.Serialization;
using Azure.Data.Tables;
using Monitor.Core.Storage;

namespace Monitor.Core.Reporting;

/// <summary>
/// PeriodStats: PK = period (2026-H1, 2026-Q3), RK = responding party|category|priority (encoded). One row per group
/// of requests submitted in the period; recomputed on demand (`monitor report`, GET /api/reports/{period}).
/// </summary>
public sealed class PeriodStatsEntity : ITableEntity
{
    // Keys and service metadata stay out of the JSON report: the named columns carry the same values.
    [JsonIgnore]
    public string PartitionKey { get; set; } = "";
    [JsonIgnore]
    public string RowKey { get; set; } = "";
    [JsonIgnore]
    public DateTimeOffset? Timestamp { get; set; }
    [JsonIgnore]
    public ETag ETag { get; set; }

    public string Period { get; set; } = "";
    public string RespondingParty { get; set; } = "";
    public string Category { get; set; } = "";
    public string Priority { get; set; } = "";
    public DateTimeOffset PeriodStart { get; set; }
    public DateTimeOffset PeriodEnd { get; set; }
    /// <summary>The instant the figures were evaluated at: events after it are not counted.</summary>
    public DateTimeOffset ComputedAt { get; set; }

    public int RequestsReceived { get; set; }
    public int AcknowledgedOnTime { get; set; }
    public int RespondedOnTime { get; set; }
    public int Responded { get; set; }
    public double? MedianResponseHours { get; set; }
    public double? P90ResponseHours { get; set; }
    public int UpdatesRequired { get; set; }
    public int UpdatesOnTime { get; set; }
    public double? UpdateOnTimeShare { get; set; }
    public int Breaches { get; set; }
    public int Escalations { get; set; }
    public int OpenAtPeriodEnd { get; set; }
    public double? QualityScore { get; set; }
    public int QualityScored { get; set; }
    public int AcknowledgementsDue { get; set; }
    public int ResponsesDue { get; set; }
    public int RespondedLate { get; set; }
    public int ResponsesOverdue { get; set; }
    public int ResponsesNotYetDue { get; set; }
    public int ResponsesWithdrawn { get; set; }

    public static PeriodStatsEntity From(ReportPeriod period, string party, string category, string priority, PeriodMetrics m, DateTimeOffset computedAt) => new()
    {
        PartitionKey = period.Name,
        RowKey = KeyEncoding.Compose(party, category, priority),
        Period = period.Name,
        RespondingParty = party,
        Category = category,
        Priority = priority,
        PeriodStart = period.Start.ToDateTimeOffset(),
        PeriodEnd = period.End.ToDateTimeOffset(),
        ComputedAt = computedAt,
        RequestsReceived = m.RequestsReceived,
        AcknowledgedOnTime = m.AcknowledgedOnTime,
        RespondedOnTime = m.RespondedOnTime,
        Responded = m.Responded,
        MedianResponseHours = m.MedianResponseHours,
        P90ResponseHours = m.P90ResponseHours,
        UpdatesRequired = m.UpdatesRequired,
        UpdatesOnTime = m.UpdatesOnTime,
        UpdateOnTimeShare = m.UpdateOnTimeShare,
        Breaches = m.Breaches,
        Escalations = m.Escalations,
        OpenAtPeriodEnd = m.OpenAtPeriodEnd,
        QualityScore = m.QualityScore,
        QualityScored = m.QualityScored,
        AcknowledgementsDue = m.AcknowledgementsDue,
        ResponsesDue = m.ResponsesDue,
        RespondedLate = m.RespondedLate,
        ResponsesOverdue = m.ResponsesOverdue,
        ResponsesNotYetDue = m.ResponsesNotYetDue,
        ResponsesWithdrawn = m.ResponsesWithdrawn,
    };
}
