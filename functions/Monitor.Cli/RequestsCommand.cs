using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Storage;

namespace Monitor.Cli;

/// <summary>`monitor requests [--party P] [--level L] [--format table|csv|json]`: requests and their clock levels.</summary>
internal static class RequestsCommand
{
    public static Command Build()
    {
        var party = new Option<string?>("--party") { Description = "Responding party code, e.g. CN" };
        var level = new Option<string?>("--level") { Description = "Overall level: pending, at-risk, overdue, escalated, met, met-late, paused, stopped" };
        level.Validators.Add(RequestsOutput.ValidateLevel);
        var format = RequestsOutput.FormatOption();
        var command = new Command("requests", "List requests and their clock levels") { party, level, format };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = MonitorCommands.Services(parse, null);
            var storage = services.GetRequiredService<MonitorStorage>();
            await storage.EnsureCreatedAsync(ct);
            var rows = await Report.QueryRequestsAsync(storage, parse.GetValue(party)?.ToUpperInvariant(), parse.GetValue(level)?.ToLowerInvariant(), ct);
            if (RequestsOutput.Write(parse.GetValue(format), rows, parse.InvocationConfiguration.Output))
            {
                return 0;
            }
            Report.RequestsTable("Requests", rows);
            return 0;
        });
        return command;
    }
}
