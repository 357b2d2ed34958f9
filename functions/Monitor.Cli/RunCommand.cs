using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Storage;
using NCrontab;
using NodaTime;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>
/// `monitor run [--once] [--as-of T] [--poll-seconds S]`: the local host. Watches the drop zone and sweeps on the
/// schedule until Ctrl+C; with --once it processes what is pending, sweeps once and prints a summary.
/// </summary>
internal static class RunCommand
{
    public static Command Build()
    {
        var once = new Option<bool>("--once") { Description = "Process everything pending, run one sweep, print a summary and exit" };
        var asOf = MonitorCommands.AsOfOption();
        var poll = new Option<double>("--poll-seconds") { Description = "How often to look for new blobs when watching", DefaultValueFactory = _ => 5 };
        var command = new Command("run", "Watch the drop zone and ingest each new blob version once; sweep on the OverdueSweepSchedule (NCRONTAB) setting. Ctrl+C stops.")
        {
            once, asOf, poll,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = MonitorCommands.Services(parse, parse.GetValue(asOf));
            var host = services.GetRequiredService<LocalHost>();
            if (parse.GetValue(once))
            {
                var at = parse.GetValue(asOf) ?? services.GetRequiredService<IClock>().GetCurrentInstant();
                var summary = await host.RunOnceAsync(at, line => AnsiConsole.MarkupLineInterpolated($"[grey]{line}[/]"), ct);
                await Report.RunSummaryAsync(services.GetRequiredService<MonitorStorage>(), summary, ct);
                return summary.Failures.Count == 0 && summary.Sweep.SkippedBecause is null ? 0 : 2;
            }
            if (parse.GetValue(asOf) is not null)
            {
                AnsiConsole.MarkupLine("[yellow]--as-of only applies with --once; watching uses the wall clock.[/]");
            }
            var expression = Environment.GetEnvironmentVariable(LocalHost.ScheduleSetting) ?? LocalHost.DefaultSchedule;
            var schedule = CrontabSchedule.TryParse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = expression.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 });
            if (schedule is null)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]{LocalHost.ScheduleSetting} '{expression}' is not a valid NCRONTAB expression (e.g. '0 */5 * * * *').[/]");
                return 1;
            }
            await host.WatchAsync(schedule, TimeSpan.FromSeconds(Math.Max(0.2, parse.GetValue(poll))), line => AnsiConsole.MarkupLineInterpolated($"{line}"), ct);
            AnsiConsole.MarkupLine("Stopped.");
            return 0;
        });
        return command;
    }
}
