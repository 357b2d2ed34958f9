using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Sweep;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>`monitor sweep [--as-of T] [--repair]`: one overdue sweep, as the timer trigger runs it.</summary>
internal static class SweepCommand
{
    public static Command Build()
    {
        var asOf = MonitorCommands.AsOfOption();
        var repair = new Option<bool>("--repair") { Description = "Recompute every request from its timeline (after a policy or calendar change)" };
        var command = new Command("sweep", "Bring every request's clocks to their level at an instant, raising alerts for level changes") { asOf, repair };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = MonitorCommands.Services(parse);
            var sweeper = services.GetRequiredService<OverdueSweeper>();
            if (parse.GetValue(repair))
            {
                var marked = await sweeper.MarkAllDirtyAsync(ct);
                AnsiConsole.MarkupLineInterpolated($"Marked {marked} requests for recomputation.");
            }
            var at = MonitorCommands.Now(parse, asOf, services);
            var step = await services.GetRequiredService<LocalHost>().SweepAsync(at, line => AnsiConsole.MarkupLineInterpolated($"[yellow]{line}[/]"), ct);
            var result = step.Sweep;
            SharedOutput.Sweep(result, step.Digest, step.DigestMail);
            // 2: nothing was swept (another sweep held the lock); safe, and `monitor sweep` again catches up.
            return result.SkippedBecause is null ? 0 : 2;
        });
        return command;
    }
}
