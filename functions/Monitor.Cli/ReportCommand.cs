using System.CommandLine;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Reporting;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>
/// `monitor report &lt;period&gt; --format html|csv|json --out &lt;path&gt;`: recomputes the period's PeriodStats, writes the
/// chosen file (or the whole pack into a directory), and stores the whole pack in reports/review/&lt;period&gt;/.
/// </summary>
internal static class ReportCommand
{
    public static Command Build()
    {
        var period = new Argument<ReportPeriod>("period")
        {
            Description = "A half-year (2026-H1, 2026-H2) or a quarter (2026-Q1 .. 2026-Q4)",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (ReportPeriod.TryParse(text, out var parsed, out var error))
                {
                    return parsed;
                }
                result.AddError(error);
                return null;
            },
        };
        var format = new Option<string>("--format") { Description = "html (the review pack page), csv (PeriodStats rows) or json (the full report)", DefaultValueFactory = _ => "html" };
        format.AcceptOnlyFromAmong("html", "csv", "json");
        var output = new Option<string>("--out") { Description = "File to write; an existing directory (or a path ending in /) receives the whole pack", Required = true };
        var asOf = MonitorCommands.AsOfOption();
        var command = new Command("report", "Compute a period's statistics and review pack; also stores the pack in the reports container at review/<period>/") { period, format, output, asOf };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = LocalHost.CreateServices();
            var reports = services.GetRequiredService<ReportService>();
            var at = MonitorCommands.Now(parse, asOf, services);
            var selected = parse.GetValue(period)!;
            var report = await reports.ComputeAsync(selected, at, ct);
            await reports.SaveStatsAsync(report, ct);

            var files = ReportFormats.DataFiles(report);
            files[ReportFormats.HtmlFile] = Encoding.UTF8.GetBytes(ReviewPackHtml.Render(report));
            var stored = await reports.SavePackAsync(report.Period, files, ct);

            var target = parse.GetValue(output)!;
            var written = new List<string>();
            if (Directory.Exists(target) || target.EndsWith('/') || target.EndsWith(Path.DirectorySeparatorChar))
            {
                Directory.CreateDirectory(target);
                foreach (var (name, content) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
                {
                    var path = Path.Combine(target, name);
                    await File.WriteAllBytesAsync(path, content, ct);
                    written.Add(path);
                }
            }
            else
            {
                var name = parse.GetValue(format) switch
                {
                    "csv" => ReportFormats.StatsCsv,
                    "json" => ReportFormats.JsonFile,
                    _ => ReportFormats.HtmlFile,
                };
                if (Path.GetDirectoryName(Path.GetFullPath(target)) is { } folder)
                {
                    Directory.CreateDirectory(folder);
                }
                await File.WriteAllBytesAsync(target, files[name], ct);
                written.Add(target);
            }

            var table = new Table().Title($"{report.Period} at {report.AsOf.UtcDateTime:yyyy-MM-dd HH:mm}Z").AddColumns("Party", "Received", "Ack on time", "Resp. on time", "Median h", "P90 h", "Breaches", "Escalations", "Open at end", "Quality");
            foreach (var p in report.Parties)
            {
                var m = p.Metrics;
                table.AddRow(Markup.Escape(p.RespondingParty), $"{m.RequestsReceived}", $"{m.AcknowledgedOnTime}", $"{m.RespondedOnTime}", $"{m.MedianResponseHours}", $"{m.P90ResponseHours}",
                    $"{m.Breaches}", $"{m.Escalations}", $"{m.OpenAtPeriodEnd}", $"{m.QualityScore}");
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"{report.Stats.Count} PeriodStats rows for {report.Period}; {report.Requests.Count} requests submitted in the period.");
            foreach (var path in written)
            {
                AnsiConsole.MarkupLineInterpolated($"Wrote {path}");
            }
            AnsiConsole.MarkupLineInterpolated($"Stored the pack ({stored.Count} files) in {stored[0][..(stored[0].LastIndexOf('/') + 1)]}");
            return 0;
        });
        return command;
    }
}
