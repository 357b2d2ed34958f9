using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Reporting;
using Monitor.Core.Sla;
using Monitor.Core.Storage;

namespace Monitor.Cli;

/// <summary>`monitor requests [--party P] [--level L] [--format table|csv|json]`: requests and their clock levels.</summary>
internal static class RequestsCommand
{
    private static readonly string[] Formats = ["table", "csv", "json"];

    public static Command Build()
    {
        var party = new Option<string?>("--party") { Description = "Responding party code, e.g. CN" };
        var level = new Option<string?>("--level") { Description = "Overall level: pending, at-risk, overdue, escalated, met, met-late, paused, stopped" };
        level.Validators.Add(ValidateLevel);
        var format = FormatOption();
        var command = new Command("requests", "List requests and their clock levels") { party, level, format };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = MonitorCommands.Services(parse);
            var storage = services.GetRequiredService<MonitorStorage>();
            await storage.EnsureCreatedAsync(ct);
            var rows = await services.GetRequiredService<RequestStore>().ListAsync(parse.GetValue(party)?.ToUpperInvariant(), parse.GetValue(level)?.ToLowerInvariant(), null, ct);
            if (Write(parse.GetValue(format), rows, parse.InvocationConfiguration.Output))
            {
                return 0;
            }
            SharedOutput.RequestsTable("Requests", rows);
            return 0;
        });
        return command;
    }

    private static Option<string> FormatOption()
    {
        var format = new Option<string>("--format") { Description = "table (default, for people), csv (spreadsheet-safe) or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong(Formats);
        return format;
    }

    private static void ValidateLevel(OptionResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : null;
        if (text is not null && !ClockLevels.TryParse(text, out _))
        {
            result.AddError($"--level '{text}' is not a level ({string.Join(", ", Enum.GetValues<ClockLevel>().Select(ClockLevels.Name))})");
        }
    }

    /// <summary>
    /// `--format csv|json`: the same rows as the table, for scripts and spreadsheets, written to <paramref name="output"/>;
    /// false for the table format, which the caller draws.
    /// </summary>
    private static bool Write(string? format, IReadOnlyList<RequestEntity> rows, TextWriter output)
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
