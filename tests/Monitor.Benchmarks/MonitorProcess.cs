using System.Collections.Concurrent;
using System.Diagnostics;

namespace Monitor.Benchmarks;

/// <summary>
/// The built `monitor` CLI (monitor.dll, copied beside every assembly that references Monitor.Cli) as a child
/// process: what an operator runs, killed and restarted at will. Output lines are kept for assertions.
/// </summary>
public sealed class MonitorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private MonitorProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Keep(e.Data);
        _process.ErrorDataReceived += (_, e) => Keep(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>monitor.dll beside this assembly: the CLI exactly as the solution build produced it.</summary>
    public static string CliPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "monitor.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"the monitor CLI is not built at {path}; build the solution first", path);
        }
    }

    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public IReadOnlyCollection<string> Output => _lines;

    /// <param name="environment">MonitorStorage, Monitor__StoragePrefix, OverdueSweepSchedule...</param>
    public static MonitorProcess Start(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(CliPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return new MonitorProcess(Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet monitor.dll"));
    }

    /// <summary>Kills the process at once, as a crash or a scale-in would: no cleanup runs.</summary>
    public async Task KillAsync(CancellationToken cancellationToken)
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync(cancellationToken);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cancel.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"monitor (pid {_process.Id}) did not exit within {timeout.TotalSeconds:0} s; last output:\n{Tail(20)}");
        }
        // The asynchronous readers may still hold the last lines.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public string Tail(int lines) => string.Join('\n', _lines.TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        await KillAsync(CancellationToken.None);
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }
}
