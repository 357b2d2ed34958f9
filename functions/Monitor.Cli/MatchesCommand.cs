using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Storage;

namespace Monitor.Cli;

/// <summary>`monitor matches [--request ID]`: which feed record matched which request, and why.</summary>
internal static class MatchesCommand
{
    public static Command Build()
    {
        var request = new Option<string?>("--request") { Description = "Only the matches of this request" };
        var command = new Command("matches", "List matches: which feed record matched which request, and why") { request };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = MonitorCommands.Services(parse);
            var storage = services.GetRequiredService<MonitorStorage>();
            await storage.EnsureCreatedAsync(ct);
            var id = parse.GetValue(request);
            SharedOutput.MatchesTable(await services.GetRequiredService<MatchStore>().ForRequestAsync(id, ct));
            return 0;
        });
        return command;
    }
}
