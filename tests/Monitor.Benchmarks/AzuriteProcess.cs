using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Monitor.Benchmarks;

/// <summary>
/// A private Azurite (node_modules/.bin/azurite) on free loopback ports: in memory, or persisted in a
/// <c>--location</c> folder so that it can be stopped and started again with its data (in-memory Azurite loses
/// everything on restart). Stopping is graceful (SIGTERM) so that Azurite writes its databases out.
/// </summary>
public sealed class AzuriteProcess : IAsyncDisposable
{
    public const string DevKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly string _executable;
    private readonly string? _location;
    private readonly int _blobPort;
    private readonly int _queuePort;
    private readonly int _tablePort;
    private Process? _process;

    private AzuriteProcess(string executable, string? location)
    {
        _executable = executable;
        _location = location;
        _blobPort = FreePort();
        _queuePort = FreePort();
        _tablePort = FreePort();
    }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DevKey};" +
        $"BlobEndpoint=http://127.0.0.1:{_blobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{_queuePort}/devstoreaccount1;" +
        $"TableEndpoint=http://127.0.0.1:{_tablePort}/devstoreaccount1;";

    public int Pid => _process?.Id ?? 0;

    /// <param name="location">A folder to persist into; null keeps everything in memory.</param>
    public static async Task<AzuriteProcess> StartAsync(string? location, CancellationToken cancellationToken)
    {
        var executable = Path.Combine(RepoLocator.Root, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite is not installed at {executable}: run `npm ci` in {RepoLocator.Root}, or set MonitorStorage.");
        }
        var azurite = new AzuriteProcess(executable, location);
        await azurite.StartAsync(cancellationToken);
        return azurite;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     "--silent", "--skipApiVersionCheck", "--loose",
                     "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1",
                     "--blobPort", $"{_blobPort}", "--queuePort", $"{_queuePort}", "--tablePort", $"{_tablePort}",
                 })
        {
            start.ArgumentList.Add(argument);
        }
        if (_location is null)
        {
            start.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            Directory.CreateDirectory(_location);
            start.ArgumentList.Add("--location");
            start.ArgumentList.Add(_location);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {_executable}");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (!(await ListeningAsync(_blobPort, cancellationToken) && await ListeningAsync(_queuePort, cancellationToken) && await ListeningAsync(_tablePort, cancellationToken)))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} while starting (ports {_blobPort}/{_queuePort}/{_tablePort})");
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("Azurite did not start listening within 60 s");
            }
            await Task.Delay(100, cancellationToken);
        }
    }

    /// <summary>Stops Azurite gracefully (SIGTERM, so a persisted instance writes its data), killing it after 20 s.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = SendSignal(process.Id, SigTerm);
        }
        else
        {
            process.Kill(entireProcessTree: true);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
        process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<bool> ListeningAsync(int port, CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

/// <summary>The repository root: the folder holding Monitor.sln, above the running assembly or the working directory.</summary>
public static class RepoLocator
{
    private static readonly Lazy<string> Found = new(Find);

    public static string Root => Found.Value;

    private static string Find()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Monitor.sln")))
                {
                    return dir.FullName;
                }
            }
        }
        throw new DirectoryNotFoundException($"no Monitor.sln above {AppContext.BaseDirectory} or {Directory.GetCurrentDirectory()}");
    }
}
