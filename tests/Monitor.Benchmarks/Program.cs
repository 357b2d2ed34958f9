using System.Globalization;
using Monitor.Benchmarks;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
try
{
    var arguments = BenchmarkArguments.Parse(args);
    return arguments.Command switch
    {
        "generate" => await GenerateCommand.RunAsync(arguments, Console.Out, cancel.Token),
        "ingest" => await IngestFileCommand.RunAsync(arguments, Console.Out, cancel.Token),
        "help" => BenchmarkArguments.PrintHelp(Console.Out),
        _ => await BenchmarkRun.RunAsync(arguments, Console.Out, cancel.Token),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine($"monitor-benchmarks: {ex.Message}");
    Console.Error.WriteLine("Run with --help for the options.");
    return 1;
}
catch (IOException ex)
{
    Console.Error.WriteLine($"monitor-benchmarks: {ex.Message}");
    return 1;
}
catch (InvalidOperationException ex) when (ex.Message.StartsWith("benchmark run is invalid", StringComparison.Ordinal))
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("cancelled");
    return 130;
}
