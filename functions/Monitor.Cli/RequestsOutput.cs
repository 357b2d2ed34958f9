using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using Monitor.Core.Reporting;
using Monitor.Core.Sla;
using Monitor.Core.Storage;

namespace Monitor.Cli;

/// <summary>`monitor requests --format csv|json`: the same rows as the table, for scripts and spreadsheets.</summary>
internal static class RequestsOutput
{
    public static readonly string[] Formats = ["table", "csv", "json"];

    public static Option<string> FormatOption()
    {
        var format = new Option<string>("--format") { Description = "table (default, for people), csv (spreadsheet-safe) or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(Formats);
        return format;
    }

    public static void ValidateLevel(OptionResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        if (text is not null && !ClockLevels.TryParse(text, out _))
        {
            result.AddError($"--level '{text}' is not a level ({string.Join(", ", Enum.GetValues<ClockLevel>().Select(ClockLevels.Name))})");
        }
    }

    /// <summary>Writes csv or json to <paramref name="output"/>; false for the table format, which the caller draws.</summary>
    public static bool Write(string? format, IReadOnlyList<RequestEntity> rows, TextWriter output)
    {
        switch (format)
        {
            case "csv":
                var csv = new CsvText("RequestId", "RequestingParty", "RespondingParty", "Category", "Priority", "SubmittedAt", "Status", "Level",
                    "AckLevel", "AckDueAt", "AckMetAt", "ResponseLevel", "ResponseDueAt", "ResponseMetAt", "UpdateLevel", "UpdateDueAt", "UpdateCycle", "EvaluatedAt");
                foreach (var r in rows)
                {
                    csv.Row(r.RequestId, r.RequestingParty, r.RespondingParty, r.Category, r.Priority, r.SubmittedAt, r.Status, r.Level,
                        r.AckLevel, r.AckDueAt, r.AckMetAt, r.ResponseLevel, r.ResponseDueAt, r.ResponseMetAt, r.UpdateLevel, r.UpdateDueAt, r.UpdateCycle, r.EvaluatedAt);
                }
                output.Write(csv.ToString());
                return true;
            case "json":
                output.WriteLine(JsonSerializer.Serialize(rows.Select(r => new
                {
                    r.RequestId, r.RequestingParty, r.RespondingParty, r.Category, r.Priority, r.SubmittedAt, r.Status, r.Level,
                    r.AckLevel, r.AckDueAt, r.AckMetAt, r.ResponseLevel, r.ResponseDueAt, r.ResponseMetAt, r.UpdateLevel, r.UpdateDueAt, r.UpdateCycle, r.EvaluatedAt,
                }), ReportFormats.Json));
                return true;
            default:
                return false;
        }
    }
}
