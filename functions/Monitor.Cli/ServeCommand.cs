using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>`monitor serve [--port]`: the reporting API on loopback, the same answers as the HTTP-triggered functions.</summary>
internal static class ServeCommand
{
    public const int DefaultPort = 7071;

    public static Command Build()
    {
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => DefaultPort };
        port.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                result.AddError("--port must be between 0 and 65535");
            }
        });
        var command = new Command("serve", $"Serve the reporting API (/api/requests, /api/requests/{{id}}, /api/alerts, /api/reports/{{period}}, /api/board, /api/feeds, /api/pulls), the OData feed (/api/odata/) and the web console (/) on 127.0.0.1; every call needs the key (x-functions-key header or ?code=) from ${LocalApiServer.KeyVariable}, or a generated one that is printed") { port };
        command.SetAction(async (parse, ct) =>
        {
            await using var services = LocalHost.CreateServices();
            var key = Environment.GetEnvironmentVariable(LocalApiServer.KeyVariable);
            var generated = string.IsNullOrEmpty(key);
            if (generated)
            {
                key = LocalApiServer.GenerateKey();
            }
            await using var server = await LocalApiServer.StartAsync(services, key!, parse.GetValue(port), services.GetRequiredService<ILoggerFactory>(), ct);
            AnsiConsole.MarkupLineInterpolated($"Reporting API on {server.BaseAddress}api/ (Ctrl+C stops)");
            if (generated)
            {
                AnsiConsole.MarkupLineInterpolated($"{LocalApiServer.KeyVariable} is not set; this run's key: {key}");
            }
            AnsiConsole.MarkupLineInterpolated($"Try: curl -H '{LocalApiServer.KeyHeader}: <key>' '{server.BaseAddress}api/requests?level=overdue'");
            AnsiConsole.MarkupLineInterpolated($"OData feed (Power BI, Excel): {server.BaseAddress}api/odata/");
            AnsiConsole.MarkupLineInterpolated($"Web console: {server.BaseAddress}?code=<key> (the key is asked once and kept for the browser session)");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }
            await server.StopAsync(CancellationToken.None);
            AnsiConsole.MarkupLine("Stopped: the reporting API no longer listens.");
            return 0;
        });
        return command;
    }
}
