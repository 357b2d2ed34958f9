using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Reporting;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>
/// `monitor report &lt;period&gt; --out DIR [--lang en|zh|both]`: recomputes the period's PeriodStats, writes the review pack
/// into the folder DIR (review-pack.html, review-pack.pdf, the CSVs and report.json) and stores it in
/// reports/review/&lt;period&gt;/. With --format, writes only that one file to the path --out.
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
        var format = new Option<string?>("--format") { Description = "Write only one file to --out: html (the review pack page), pdf (the page printed), csv (PeriodStats rows) or json (the full report)" };
        format.AcceptOnlyFromAmong("html", "pdf", "csv", "json");
        var output = new Option<string>("--out") { Description = "The folder that receives the whole pack (created if missing); with --format, the one file to write", Required = true };
        var language = new Option<PackLanguage>("--lang")
        {
            Description = "The pack's language: en (English), zh (Simplified Chinese) or both",
            DefaultValueFactory = _ => PackLanguage.En,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (ReviewPackText.TryParse(text, out var parsed))
                {
                    return parsed;
                }
                result.AddError($"--lang '{text}' is not a language: use en, zh or both");
                return PackLanguage.En;
            },
        };
        var asOf = MonitorCommands.AsOfOption();
        var command = new Command("report", "Compute a period's statistics and review pack (HTML, PDF, CSVs) into a folder; also stores the pack in the reports container at review/<period>/")
        {
            period, format, output, language, asOf,
        };
        command.SetAction(async (parse, ct) =>
        {
            var target = parse.GetValue(output)!;
            var single = parse.GetValue(format);
            if (single is null && File.Exists(target))
            {
                AnsiConsole.MarkupLineInterpolated($"[red]--out {target} is a file: the pack is a folder of files. Name a folder, or add --format html|pdf|csv|json to write one file.[/]");
                return 1;
            }

            await using var services = LocalHost.CreateServices();
            var reports = services.GetRequiredService<ReportService>();
            var at = MonitorCommands.Now(parse, asOf, services);
            var report = await reports.ComputeAsync(parse.GetValue(period)!, at, ct);
            await reports.SaveStatsAsync(report, ct);
            var (files, pdfProblem) = await ReviewPackPdf.PackAsync(report, parse.GetValue(language), ct);
            var stored = await reports.SavePackAsync(report.Period, files, ct);

            var written = new List<string>();
            if (single is null)
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
                var name = single switch
                {
                    "csv" => ReportFormats.StatsCsv,
                    "json" => ReportFormats.JsonFile,
                    "pdf" => ReportFormats.PdfFile,
                    _ => ReportFormats.HtmlFile,
                };
                if (files.TryGetValue(name, out var content))
                {
                    if (Path.GetDirectoryName(Path.GetFullPath(target)) is { } folder)
                    {
                        Directory.CreateDirectory(folder);
                    }
                    await File.WriteAllBytesAsync(target, content, ct);
                    written.Add(target);
                }
            }

            var table = new Table().Title($"{report.Period} at {report.AsOf.UtcDateTime:yyyy-MM-dd HH:mm}Z")
                .AddColumns("Party", "Received", "Ack on time/due", "Resp. on time/due", "Late", "Overdue", "Not yet due", "Median h", "P90 h", "Breaches", "Escalations", "Open at end", "Quality");
            foreach (var p in report.Parties)
            {
                var m = p.Metrics;
                table.AddRow(Markup.Escape(p.RespondingParty), $"{m.RequestsReceived}", $"{m.AcknowledgedOnTime}/{m.AcknowledgementsDue}", $"{m.RespondedOnTime}/{m.ResponsesDue}",
                    $"{m.RespondedLate}", $"{m.ResponsesOverdue}", $"{m.ResponsesNotYetDue}", $"{m.MedianResponseHours}", $"{m.P90ResponseHours}",
                    $"{m.Breaches}", $"{m.Escalations}", $"{m.OpenAtPeriodEnd}", $"{m.QualityScore}");
            }
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLineInterpolated($"{report.Stats.Count} PeriodStats rows for {report.Period}; {report.Requests.Count} requests submitted in the period.");
            foreach (var u in report.Unevaluated)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]Not evaluated, left out of every figure: {u.RequestId} ({u.RequestingParty} -> {u.RespondingParty}): {u.Reason}[/]");
            }
            foreach (var path in written)
            {
                AnsiConsole.MarkupLineInterpolated($"Wrote {path}");
            }
            if (pdfProblem is not null)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]No PDF: {pdfProblem}[/]");
            }
            AnsiConsole.MarkupLineInterpolated($"Stored the pack ({stored.Count} files) in {stored[0][..(stored[0].LastIndexOf('/') + 1)]}");
            return single is not null && written.Count == 0 ? 1 : 0;
        });
        return command;
    }
}
