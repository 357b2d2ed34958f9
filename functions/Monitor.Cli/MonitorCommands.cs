using System.CommandLine;
using System.CommandLine.Parsing;
using Azure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Core;
using NodaTime;
using NodaTime.Text;
using Spectre.Console;

namespace Monitor.Cli;

/// <summary>
/// The root of `monitor`: the verbs (one <c>XxxCommand</c> class each, a thin shell over the core like the function
/// classes), the options they share and the error handling of every invocation.
/// </summary>
public static class MonitorCommands
{
    private static readonly Option<bool> Verbose = new("--verbose", "-v") { Description = "Log what the pipeline does (Information level)", Recursive = true };

    /// <summary>Parses and runs; failures the user can act on are printed as one clear line, not a stack trace.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (Console.IsOutputRedirected)
        {
            // Tables in logs and pipes would otherwise wrap at 80 columns.
            AnsiConsole.Profile.Width = 200;
        }
        try
        {
            // Our own signal handling, not System.CommandLine's, which ends the process 2 s after the first signal.
            using var signals = new StopSignals();
            return await Build().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null }, signals.Token);
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
        catch (Monitor.Core.Sweep.SweepLockLostException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{ex.Message}[/]");
            return 3;
        }
        catch (RequestFailedException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Storage error {ex.Status} {ex.ErrorCode}: {ex.Message.Split('\n')[0]}[/]");
            return 3;
        }
        catch (Exception ex) when (ex is AggregateException or HttpRequestException || ex.InnerException is HttpRequestException)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Cannot reach storage ({StorageConnection.Name}): {ex.GetBaseException().Message}. Is Azurite running?[/]");
            return 3;
        }
        catch (OptionsValidationException ex)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Configuration error: {ex.Message}[/]");
            return 1;
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("config/", StringComparison.Ordinal))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]Configuration error: {ex.Message}[/]");
            return 1;
        }
    }

    public static RootCommand Build()
    {
        var root = new RootCommand("Monitor: bilateral cyber-request compliance monitor. Local host and CLI over Azure Storage (MonitorStorage).");
        root.Options.Add(Verbose);
        root.Subcommands.Add(RunCommand.Build());
        root.Subcommands.Add(PushCommand.Build());
        root.Subcommands.Add(SweepCommand.Build());
        root.Subcommands.Add(RequestsCommand.Build());
        root.Subcommands.Add(MatchesCommand.Build());
        root.Subcommands.Add(ServeCommand.Build());
        root.Subcommands.Add(ReportCommand.Build());
        root.Subcommands.Add(ExplainCommand.Build());
        root.Subcommands.Add(DigestCommand.Build());
        root.Subcommands.Add(AuditCommand.Build());
        return root;
    }

    internal static Option<Instant?> AsOfOption() => new("--as-of")
    {
        Description = "Evaluate \"now\" as this ISO-8601 instant with an offset, e.g. 2026-11-20T01:00:00Z",
        CustomParser = ParseInstant,
    };

    /// <summary>The local host's services, logging at the level --verbose asks for.</summary>
    internal static ServiceProvider Services(ParseResult parse)
    {
        var services = LocalHost.CreateServices(minimumLevel: parse.GetValue(Verbose) ? LogLevel.Information : LogLevel.Warning);
        // Fail fast on bad options (e.g. Monitor__StoragePrefix), as ValidateOnStart would in the function app.
        _ = services.GetRequiredService<IOptions<MonitorOptions>>().Value;
        return services;
    }

    /// <summary>The instant a verb evaluates at: --as-of when given, else the host's clock.</summary>
    internal static Instant Now(ParseResult parse, Option<Instant?> asOf, IServiceProvider services) =>
        parse.GetValue(asOf) ?? services.GetRequiredService<IClock>().GetCurrentInstant();

    private static Instant? ParseInstant(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        var parsed = OffsetDateTimePattern.ExtendedIso.Parse(text);
        if (parsed.Success)
        {
            return parsed.Value.ToInstant();
        }
        result.AddError($"--as-of '{text}' is not an ISO-8601 instant with an offset (e.g. 2026-11-20T01:00:00Z or 2026-11-20T09:00:00+08:00)");
        return null;
    }
}
