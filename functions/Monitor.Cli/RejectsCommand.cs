using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Reporting;
using Monitor.Core.Storage;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>
/// `monitor rejects [--blob NAME] [--source S] [--severity reject|warning] [--format table|json]`: every rejected record
/// and every warning of the files read, with where in the file and why (the Rejects table).
/// </summary>
internal static class RejectsCommand
{
    public static Command Build()
    {
        var blob = new Option<string?>("--blob") { Description = "Only this blob, e.g. requests/register.csv or incidents/liaison-cn/feed.csv" };
        var source = new Option<string?>("--source") { Description = "Only this source (the folder under incidents/, or requests for registers)" };
        var severity = new Option<string?>("--severity") { Description = "reject (the record was skipped) or warning (the record was used, part of it not)" };
        severity.AcceptOnlyFromAmong("reject", "warning");
        var format = new Option<string>("--format") { Description = "table (default, for people) or json", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var command = new Command("rejects", "List rejected records and warnings: file, line or JSON path, record and reason") { blob, source, severity, format };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = MonitorCommands.Services(parse);
            await services.GetRequiredService<MonitorStorage>().EnsureCreatedAsync(ct);
            var rows = await services.GetRequiredService<RejectStore>().ListAsync(
                parse.GetValue(blob), parse.GetValue(source)?.Trim().ToLowerInvariant(), parse.GetValue(severity), ct);
            if (parse.GetValue(format) == "json")
            {
                parse.InvocationConfiguration.Output.WriteLine(JsonSerializer.Serialize(
                    rows.Select(r => new { r.BlobName, r.Source, r.Location, r.Severity, r.RecordId, r.Reason, r.Raw, ContentHash = r.PartitionKey }), ReportFormats.Json));
                return 0;
            }
            if (rows.Count == 0)
            {
                AnsiConsole.MarkupLine("Rejects and warnings: none.");
                return 0;
            }
            var table = new Table().Title("Rejects and warnings").AddColumns("Blob", "Where", "Severity", "Record", "Reason");
            foreach (var r in rows)
            {
                table.AddRow(Markup.Escape(r.BlobName), Markup.Escape(r.Location), r.Severity == "reject" ? "[red]reject[/]" : "[yellow]warning[/]",
                    Markup.Escape(r.RecordId ?? ""), Markup.Escape(r.Reason));
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"{rows.Count(r => r.Severity == "reject")} rejects, {rows.Count(r => r.Severity == "warning")} warnings.");
            return 0;
        });
        return command;
    }
}
