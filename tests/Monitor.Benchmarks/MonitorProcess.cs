using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Monitor.Benchmarks;

/// <summary>
/// The built `monitor` CLI (monitor.dll, copied beside every assembly that references Monitor.Cli) as a child
/// process: what an operator runs, killed and restarted at will. Output lines are kept for assertions.
/// </summary>
public sealed class MonitorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

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

    /// <summary>Completes with the first output line (already printed or still to come) that matches; no polling.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        (Func<string, bool> Match, TaskCompletionSource<string> Found) waiter = (match, new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        lock (_waiters)
        {
            _waiters.Add(waiter);
        }
        // Lines kept before the waiter was added.
        if (_lines.FirstOrDefault(match) is { } seen)
        {
            waiter.Found.TrySetResult(seen);
        }
        try
        {
            return await waiter.Found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"monitor (pid {_process.Id}) printed no such line within {timeout.TotalSeconds:0} s{(_process.HasExited ? $" (it exited with {_process.ExitCode})" : "")}; last output:\n{Tail(20)}");
        }
        finally
        {
            lock (_waiters)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Sends SIGINT or SIGTERM, as Ctrl+C or a service manager would.</summary>
    public Task SignalAsync(PosixSignal signal) => KillAsync(signal switch
    {
        PosixSignal.SIGINT => "INT",
        PosixSignal.SIGTERM => "TERM",
        _ => throw new ArgumentOutOfRangeException(nameof(signal), signal, "SIGINT or SIGTERM"),
    });

    /// <summary>Freezes the process (SIGSTOP) where it is, so that what it has stored can be looked at before it moves on.</summary>
    public Task FreezeAsync() => KillAsync("STOP");

    /// <summary>Lets a frozen process go on (SIGCONT).</summary>
    public Task ThawAsync() => KillAsync("CONT");

    private async Task KillAsync(string name)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", name, $"{_process.Id}"]) { UseShellExecute = false })!;
        await kill.WaitForExitAsync();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -s {name} {_process.Id} failed with {kill.ExitCode}");
        }
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }
        _lines.Enqueue(line);
        lock (_waiters)
        {
            foreach (var (match, found) in _waiters.Where(w => w.Match(line)))
            {
                found.TrySetResult(line);
            }
        }
    }
}
