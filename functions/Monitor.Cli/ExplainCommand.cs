using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Sla;
using Monitor.Core.Storage;
using Monitor.Core.Sweep;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>`monitor explain &lt;request-id&gt; [--as-of T]`: each clock's timeline, calendar, due instant, level and why.</summary>
internal static class ExplainCommand
{
    public static Command Build()
    {
        var requestId = new Argument<string>("request-id") { Description = "The request ID exactly as registered, e.g. T-100" };
        var asOf = MonitorCommands.AsOfOption();
        var command = new Command("explain", "Explain a request's clocks at an instant: start, pauses, calendar, due instant (calendar zone and UTC), level and why")
        {
            requestId, asOf,
        };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = MonitorCommands.Services(parse);
            var at = MonitorCommands.Now(parse, asOf, services);
            var id = parse.GetValue(requestId)!;
            RequestExplanation? explanation;
            try
            {
                explanation = await services.GetRequiredService<RequestExplainer>().ExplainAsync(id, at, ct);
            }
            catch (SlaConfigurationException ex)
            {
                AnsiConsole.MarkupLineInterpolated($"[red]Cannot compute the clocks of {id}: {ex.Message}[/]");
                return 1;
            }
            if (explanation is null)
            {
                var table = services.GetRequiredService<MonitorStorage>().Names.Table(StorageNames.RequestsTable);
                AnsiConsole.MarkupLineInterpolated($"[red]Unknown request '{id}': no row with that RowKey in table {table} (IDs are matched ignoring case, so no spelling of it is registered; `monitor requests` lists them).[/]");
                return 1;
            }
            foreach (var line in explanation.Render())
            {
                AnsiConsole.WriteLine(line);
            }
            return 0;
        });
        return command;
    }
}
