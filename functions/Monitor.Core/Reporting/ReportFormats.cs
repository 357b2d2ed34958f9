using System.Text;
using System.Text.Json;
using System.Text.Encodings.Web;
using System.Text.Json.Serialization;

namespace Monitor.Core.Reporting;

/// <summary>The JSON report and the CSV files of the review pack: views of one <see cref="ReviewReport"/>.</summary>
public static class ReportFormats
{
    public const string StatsCsv = "period-stats.csv";
    public const string PartiesCsv = "parties.csv";
    public const string RequestsCsv = "requests.csv";
    public const string QualityCsv = "quality.csv";
    public const string OnTimeByMonthCsv = "on-time-by-month.csv";
    public const string TrendCsv = "open-overdue-trend.csv";
    public const string FeedsCsv = "feeds.csv";
    public const string JsonFile = "report.json";
    public const string HtmlFile = "review-pack.html";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // Readable quotes and non-ASCII text: the JSON is served as application/json (nosniff) or saved as a file,
        // never inlined into HTML, which is what the default escaping guards against.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string ToJson(ReviewReport report) => JsonSerializer.Serialize(report, Json);

    public static string StatsToCsv(ReviewReport report)
    {
        var csv = new CsvText("Period", "RespondingParty", "Category", "Priority", "RequestsReceived", "AcknowledgedOnTime", "RespondedOnTime", "Responded",
            "MedianResponseHours", "P90ResponseHours", "UpdatesRequired", "UpdatesOnTime", "UpdateOnTimeShare", "Breaches", "Escalations",
            "OpenAtPeriodEnd", "QualityScore", "QualityScored", "ComputedAt");
        foreach (var s in report.Stats)
        {
            csv.Row(s.Period, s.RespondingParty, s.Category, s.Priority, s.RequestsReceived, s.AcknowledgedOnTime, s.RespondedOnTime, s.Responded,
                s.MedianResponseHours, s.P90ResponseHours, s.UpdatesRequired, s.UpdatesOnTime, s.UpdateOnTimeShare, s.Breaches, s.Escalations,
                s.OpenAtPeriodEnd, s.QualityScore, s.QualityScored, s.ComputedAt);
        }
        return csv.ToString();
    }

    public static string PartiesToCsv(ReviewReport report)
    {
        var csv = new CsvText("Period", "RespondingParty", "RequestsReceived", "AcknowledgedOnTime", "RespondedOnTime", "Responded", "MedianResponseHours",
            "P90ResponseHours", "UpdatesRequired", "UpdatesOnTime", "UpdateOnTimeShare", "Breaches", "Escalations", "OpenAtPeriodEnd", "QualityScore", "QualityScored");
        foreach (var p in report.Parties)
        {
            var m = p.Metrics;
            csv.Row(report.Period, p.RespondingParty, m.RequestsReceived, m.AcknowledgedOnTime, m.RespondedOnTime, m.Responded, m.MedianResponseHours,
                m.P90ResponseHours, m.UpdatesRequired, m.UpdatesOnTime, m.UpdateOnTimeShare, m.Breaches, m.Escalations, m.OpenAtPeriodEnd, m.QualityScore, m.QualityScored);
        }
        return csv.ToString();
    }

    public static string RequestsToCsv(ReviewReport report)
    {
        var csv = new CsvText("RequestId", "RequestingParty", "RespondingParty", "Category", "Priority", "SubmittedAt", "Status", "Level", "AckLevel",
            "ResponseLevel", "UpdateLevel", "ResponseDueAt", "ResponseMetAt", "AcknowledgedOnTime", "RespondedOnTime", "ResponseHours", "ResponseTargetFraction",
            "UpdatesRequired", "UpdatesOnTime", "Breached", "Escalated", "OpenAtPeriodEnd", "QualityScore");
        foreach (var r in report.Requests)
        {
            csv.Row(r.RequestId, r.RequestingParty, r.RespondingParty, r.Category, r.Priority, r.SubmittedAt, r.Status, r.Level, r.AckLevel,
                r.ResponseLevel, r.UpdateLevel, r.ResponseDueAt, r.ResponseMetAt, r.AcknowledgedOnTime, r.RespondedOnTime, r.ResponseHours, r.ResponseTargetFraction,
                r.UpdatesRequired, r.UpdatesOnTime, r.Breached, r.Escalated, r.OpenAtPeriodEnd, r.QualityScore);
        }
        return csv.ToString();
    }

    public static string QualityToCsv(ReviewReport report)
    {
        var csv = new CsvText("RequestId", "RespondingParty", "QualityScore", "Findings", "Evidence", "Mitigation", "Recurrence", "Reasons");
        foreach (var r in report.Requests)
        {
            csv.Row(r.RequestId, r.RespondingParty, r.QualityScore, r.QualityFindings, r.QualityEvidence, r.QualityMitigation, r.QualityRecurrence,
                string.Join(" | ", r.QualityReasons));
        }
        return csv.ToString();
    }

    public static string OnTimeByMonthToCsv(ReviewReport report)
    {
        var csv = new CsvText("Month", "RespondingParty", "Decided", "OnTime", "Share");
        foreach (var m in report.OnTimeByMonth)
        {
            csv.Row(m.Month, m.RespondingParty, m.Decided, m.OnTime, m.Share);
        }
        return csv.ToString();
    }

    public static string TrendToCsv(ReviewReport report)
    {
        var csv = new CsvText("At", "RespondingParty", "OpenOverdue");
        foreach (var t in report.OpenOverdueTrend)
        {
            csv.Row(t.At, t.RespondingParty, t.OpenOverdue);
        }
        return csv.ToString();
    }

    public static string FeedsToCsv(ReviewReport report)
    {
        var csv = new CsvText("Source", "Files", "Processed", "Duplicates", "Quarantined", "Poison", "Records", "Rejects", "Warnings", "LastReceived");
        foreach (var f in report.Feeds)
        {
            csv.Row(f.Source, f.Files, f.Processed, f.Duplicates, f.Quarantined, f.Poison, f.Records, f.Rejects, f.Warnings, f.LastReceived);
        }
        return csv.ToString();
    }

    /// <summary>Every file of the pack except the HTML page (see <c>ReviewPackHtml</c>), by file name.</summary>
    public static Dictionary<string, byte[]> DataFiles(ReviewReport report) => new(StringComparer.Ordinal)
    {
        [JsonFile] = Encoding.UTF8.GetBytes(ToJson(report)),
        [StatsCsv] = Encoding.UTF8.GetBytes(StatsToCsv(report)),
        [PartiesCsv] = Encoding.UTF8.GetBytes(PartiesToCsv(report)),
        [RequestsCsv] = Encoding.UTF8.GetBytes(RequestsToCsv(report)),
        [QualityCsv] = Encoding.UTF8.GetBytes(QualityToCsv(report)),
        [OnTimeByMonthCsv] = Encoding.UTF8.GetBytes(OnTimeByMonthToCsv(report)),
        [TrendCsv] = Encoding.UTF8.GetBytes(TrendToCsv(report)),
        [FeedsCsv] = Encoding.UTF8.GetBytes(FeedsToCsv(report)),
    };
}
