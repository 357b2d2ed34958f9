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
    public const string UnevaluatedCsv = "not-evaluated.csv";
    public const string JsonFile = "report.json";
    public const string HtmlFile = "review-pack.html";
    public const string PdfFile = "review-pack.pdf";

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
            "OpenAtPeriodEnd", "QualityScore", "QualityScored", "ComputedAt",
            "AcknowledgementsDue", "ResponsesDue", "RespondedLate", "ResponsesOverdue", "ResponsesNotYetDue", "ResponsesWithdrawn");
        foreach (var s in report.Stats)
        {
            csv.Row(s.Period, s.RespondingParty, s.Category, s.Priority, s.RequestsReceived, s.AcknowledgedOnTime, s.RespondedOnTime, s.Responded,
                s.MedianResponseHours, s.P90ResponseHours, s.UpdatesRequired, s.UpdatesOnTime, s.UpdateOnTimeShare, s.Breaches, s.Escalations,
                s.OpenAtPeriodEnd, s.QualityScore, s.QualityScored, s.ComputedAt,
                s.AcknowledgementsDue, s.ResponsesDue, s.RespondedLate, s.ResponsesOverdue, s.ResponsesNotYetDue, s.ResponsesWithdrawn);
        }
        return csv.ToString();
    }

    public static string PartiesToCsv(ReviewReport report)
    {
        var csv = new CsvText("Period", "RespondingParty", "RequestsReceived", "AcknowledgedOnTime", "RespondedOnTime", "Responded", "MedianResponseHours",
            "P90ResponseHours", "UpdatesRequired", "UpdatesOnTime", "UpdateOnTimeShare", "Breaches", "Escalations", "OpenAtPeriodEnd", "QualityScore", "QualityScored",
            "AcknowledgementsDue", "ResponsesDue", "RespondedLate", "ResponsesOverdue", "ResponsesNotYetDue", "ResponsesWithdrawn");
        foreach (var p in report.Parties)
        {
            var m = p.Metrics;
            csv.Row(report.Period, p.RespondingParty, m.RequestsReceived, m.AcknowledgedOnTime, m.RespondedOnTime, m.Responded, m.MedianResponseHours,
                m.P90ResponseHours, m.UpdatesRequired, m.UpdatesOnTime, m.UpdateOnTimeShare, m.Breaches, m.Escalations, m.OpenAtPeriodEnd, m.QualityScore, m.QualityScored,
                m.AcknowledgementsDue, m.ResponsesDue, m.RespondedLate, m.ResponsesOverdue, m.ResponsesNotYetDue, m.ResponsesWithdrawn);
        }
        return csv.ToString();
    }

    public static string RequestsToCsv(ReviewReport report)
    {
        var csv = new CsvText("RequestId", "RequestingParty", "RespondingParty", "Category", "Priority", "SubmittedAt", "Status", "Level", "AckLevel",
            "ResponseLevel", "UpdateLevel", "ResponseDueAt", "ResponseMetAt", "AcknowledgedOnTime", "RespondedOnTime", "ResponseHours", "ResponseTargetFraction",
            "UpdatesRequired", "UpdatesOnTime", "Breached", "Escalated", "OpenAtPeriodEnd", "QualityScore", "ResponseOutcome", "EscalatedClock", "EscalatedAt");
        foreach (var r in report.Requests)
        {
            csv.Row(r.RequestId, r.RequestingParty, r.RespondingParty, r.Category, r.Priority, r.SubmittedAt, r.Status, r.Level, r.AckLevel,
                r.ResponseLevel, r.UpdateLevel, r.ResponseDueAt, r.ResponseMetAt, r.AcknowledgedOnTime, r.RespondedOnTime, r.ResponseHours, r.ResponseTargetFraction,
                r.UpdatesRequired, r.UpdatesOnTime, r.Breached, r.Escalated, r.OpenAtPeriodEnd, r.QualityScore, OutcomeName(r.ResponseOutcome), r.EscalatedClock, r.EscalatedAt);
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
        var csv = new CsvText("Month", "RespondingParty", "Decided", "OnTime", "Share", "NotYetDue");
        foreach (var m in report.OnTimeByMonth)
        {
            csv.Row(m.Month, m.RespondingParty, m.Decided, m.OnTime, m.Share, m.NotYetDue);
        }
        return csv.ToString();
    }

    public static string TrendToCsv(ReviewReport report)
    {
        var csv = new CsvText("At", "RespondingParty", "OpenOverdue", "Open");
        foreach (var t in report.OpenOverdueTrend)
        {
            csv.Row(t.At, t.RespondingParty, t.OpenOverdue, t.Open);
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

    public static string UnevaluatedToCsv(ReviewReport report)
    {
        var csv = new CsvText("RequestId", "RequestingParty", "RespondingParty", "Category", "Priority", "SubmittedAt", "Reason");
        foreach (var u in report.Unevaluated)
        {
            csv.Row(u.RequestId, u.RequestingParty, u.RespondingParty, u.Category, u.Priority, u.SubmittedAt, u.Reason);
        }
        return csv.ToString();
    }

    /// <summary>The public name of a response outcome, as in the JSON report: on-time, late, overdue, not-yet-due, withdrawn.</summary>
    public static string OutcomeName(ResponseOutcome outcome) => JsonNamingPolicy.KebabCaseLower.ConvertName(outcome.ToString());

    /// <summary>The pack's CSV files by name, each a view of the report.</summary>
    private static readonly Dictionary<string, Func<ReviewReport, string>> Csvs = new(StringComparer.Ordinal)
    {
        [StatsCsv] = StatsToCsv,
        [PartiesCsv] = PartiesToCsv,
        [RequestsCsv] = RequestsToCsv,
        [QualityCsv] = QualityToCsv,
        [OnTimeByMonthCsv] = OnTimeByMonthToCsv,
        [TrendCsv] = TrendToCsv,
        [FeedsCsv] = FeedsToCsv,
        [UnevaluatedCsv] = UnevaluatedToCsv,
    };

    /// <summary>The names of the pack's CSV files, in a stable order (what <c>GET /api/reports/{period}?format=csv&amp;file=</c> accepts).</summary>
    public static readonly string[] CsvFiles = [.. Csvs.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The CSV file <paramref name="name"/> (one of <see cref="CsvFiles"/>) of the report.</summary>
    public static string Csv(ReviewReport report, string name) => Csvs[name](report);

    /// <summary>Every file of the pack except the HTML page and the PDF (see <c>ReviewPackPdf.PackAsync</c>), by file name.</summary>
    public static Dictionary<string, byte[]> DataFiles(ReviewReport report)
    {
        var files = Csvs.ToDictionary(c => c.Key, c => Encoding.UTF8.GetBytes(c.Value(report)), StringComparer.Ordinal);
        files[JsonFile] = Encoding.UTF8.GetBytes(ToJson(report));
        return files;
    }
}
