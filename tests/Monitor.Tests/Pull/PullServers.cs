using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Pull;

/// <summary>
/// A server process for the pull tests, on 127.0.0.1 and a free port. Ready once it prints <c>readyMarker</c> (awaited,
/// not polled); killed with its process tree on dispose.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process) => _process = process;

    public static async Task<ServerProcess> StartAsync(ProcessStartInfo start, string readyMarker)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ServerProcess(process);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }
            lock (server._output)
            {
                server._output.AppendLine(line);
            }
            if (line.Contains(readyMarker, StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException($"{start.FileName} exited with {process.ExitCode} before it was ready:\n{server.Output}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromMinutes(3));
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"{start.FileName} did not print '{readyMarker}' within 3 minutes:\n{server.Output}");
        }
        return server;
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}

/// <summary>
/// medallion, the OASIS TAXII 2.1 reference server, with a memory backend read from a data file written here: one
/// api root <c>api1</c> with one writable collection. Started from <c>shared/servers/taxii-server</c> beside the
/// repository; where that is absent, from an installed medallion (<c>pip install medallion==3.0.0</c> is tried).
/// </summary>
public sealed class MedallionServer : IAsyncDisposable
{
    public const string CollectionId = "91a7b528-80eb-42ed-a74d-c6fbd5a26116";
    public const string User = "reader";
    public const string Password = "taxii-test-pw";
    public const string MediaType = "application/taxii+json;version=2.1";

    private readonly ServerProcess _process;
    private readonly DirectoryInfo _dir;

    private MedallionServer(ServerProcess process, DirectoryInfo dir, int port)
    {
        _process = process;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public Uri CollectionUrl => new($"http://127.0.0.1:{Port}/api1/collections/{CollectionId}/");

    /// <param name="objects">The collection's STIX objects, each with its <c>date_added</c> for the manifest.</param>
    public static async Task<MedallionServer> StartAsync(IEnumerable<(JsonObject Object, string DateAdded)> objects, int maxPageSize)
    {
        var dir = Directory.CreateTempSubdirectory("monitor-taxii-");
        var list = objects.ToList();
        var data = new JsonObject
        {
            ["/discovery"] = new JsonObject { ["title"] = "pull tests", ["api_roots"] = new JsonArray("http://127.0.0.1/api1/") },
            ["api1"] = new JsonObject
            {
                ["information"] = new JsonObject { ["title"] = "api1", ["versions"] = new JsonArray(MediaType), ["max_content_length"] = 10485760 },
                ["status"] = new JsonArray(),
                ["collections"] = new JsonArray(new JsonObject
                {
                    ["id"] = CollectionId,
                    ["title"] = "pull tests",
                    ["can_read"] = true,
                    ["can_write"] = true,
                    ["media_types"] = new JsonArray("application/stix+json;version=2.1"),
                    ["objects"] = new JsonArray([.. list.Select(o => (JsonNode)o.Object.DeepClone())]),
                    ["manifest"] = new JsonArray([.. list.Select(o => (JsonNode)new JsonObject
                    {
                        ["id"] = (string)o.Object["id"]!,
                        ["date_added"] = o.DateAdded,
                        ["version"] = (string)o.Object["modified"]!,
                        ["media_type"] = "application/stix+json;version=2.1",
                    })]),
                }),
            },
        };
        var dataFile = Path.Combine(dir.FullName, "data.json");
        await File.WriteAllTextAsync(dataFile, data.ToJsonString());
        var config = Path.Combine(dir.FullName, "config.json");
        await File.WriteAllTextAsync(config, new JsonObject
        {
            ["backend"] = new JsonObject { ["module_class"] = "MemoryBackend", ["filename"] = dataFile },
            ["users"] = new JsonObject { [User] = Password },
            ["taxii"] = new JsonObject { ["max_page_size"] = maxPageSize },
        }.ToJsonString());
        var port = ServerProcess.FreePort();
        var process = await ServerProcess.StartAsync(Command(port, config), $"Running on http://127.0.0.1:{port}");
        return new MedallionServer(process, dir, port);
    }

    private static ProcessStartInfo Command(int port, string config)
    {
        for (var dir = new DirectoryInfo(RepoPaths.Root).Parent; dir is not null; dir = dir.Parent)
        {
            var script = Path.Combine(dir.FullName, "shared", "servers", "taxii-server");
            if (File.Exists(script))
            {
                return new ProcessStartInfo(script) { ArgumentList = { $"{port}", config } };
            }
        }
        // A user's clone without ../shared: medallion from PyPI.
        if (Run("python3", "-c", "import medallion") != 0 && Run("python3", "-m", "pip", "install", "--user", "--quiet", "medallion==3.0.0") != 0)
        {
            throw new InvalidOperationException("The TAXII pull tests need medallion (the OASIS TAXII 2.1 reference server): ../shared/servers/taxii-server was not found "
                + "beside the repository and `python3 -m pip install --user medallion==3.0.0` failed. Install medallion 3.0.0 for python3 and run the tests again.");
        }
        return new ProcessStartInfo("python3") { ArgumentList = { "-m", "medallion.scripts.run", "--host", "127.0.0.1", "--port", $"{port}", "--no-conf-dir", "-c", config } };
    }

    private static int Run(string file, params string[] args)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    /// <summary>Adds objects with a TAXII POST, as a partner's system would; medallion stamps them date_added = now.</summary>
    public async Task AddAsync(params JsonObject[] objects)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(CollectionUrl, "objects/"))
        {
            Content = new StringContent(new JsonObject { ["objects"] = new JsonArray([.. objects.Select(o => (JsonNode)o.DeepClone())]) }.ToJsonString()),
        };
        request.Content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(MediaType);
        request.Headers.Accept.ParseAdd(MediaType);
        request.Headers.Authorization = new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST to medallion: {(int)response.StatusCode} {body}");
        var status = JsonNode.Parse(body)!;
        Assert.Equal(objects.Length, (int)status["success_count"]!);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        _dir.Delete(recursive: true);
    }
}

/// <summary>A folder served by <c>python3 -m http.server</c> on 127.0.0.1 (it answers If-Modified-Since with 304).</summary>
public sealed class StaticFileServer : IAsyncDisposable
{
    private readonly ServerProcess _process;

    private StaticFileServer(ServerProcess process, DirectoryInfo root, int port)
    {
        _process = process;
        Root = root;
        Port = port;
    }

    public DirectoryInfo Root { get; }
    public int Port { get; }

    public Uri Url(string path) => new($"http://127.0.0.1:{Port}/{path}");

    /// <summary>The GET request lines the server logged so far (its access log), e.g. "GET /misp/manifest.json".</summary>
    public IReadOnlyList<string> Requests => [.. _process.Output.Split('\n').Where(l => l.Contains("\"GET ", StringComparison.Ordinal))
        .Select(l => l[(l.IndexOf("\"GET ", StringComparison.Ordinal) + 1)..].Split(" HTTP/")[0])];

    public static async Task<StaticFileServer> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("monitor-www-");
        var port = ServerProcess.FreePort();
        var process = await ServerProcess.StartAsync(new ProcessStartInfo("python3")
        {
            ArgumentList = { "-u", "-m", "http.server", $"{port}", "--bind", "127.0.0.1", "--directory", root.FullName },
        }, $"port {port}");
        return new StaticFileServer(process, root, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Root.Delete(recursive: true);
    }
}

/// <summary>An in-test HTTP endpoint on 127.0.0.1 (HttpListener) whose answers the test writes.</summary>
public sealed class TestHttpServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly Func<HttpListenerContext, Task> _handle;

    public TestHttpServer(Func<HttpListenerContext, Task> handle)
    {
        _handle = handle;
        for (var attempt = 1; ; attempt++)
        {
            var port = ServerProcess.FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                _listener = listener;
                Port = port;
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                await _handle(context);
            }
            catch (Exception ex)
            {
                context.Response.StatusCode = 500;
                await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(ex.ToString()));
            }
            finally
            {
                context.Response.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
