using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Monitor.Tests.Infrastructure;

/// <summary>
/// A real HTTP endpoint on 127.0.0.1 (System.Net.HttpListener) that stands in for a Teams or Slack incoming webhook:
/// it answers the first <see cref="FailuresLeft"/> POSTs with an error status, and 200 after that.
/// </summary>
public sealed class TestWebhookListener : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _loop;
    private readonly ConcurrentQueue<(string Body, int Status)> _calls = new();
    private int _failuresLeft;

    public TestWebhookListener(int failFirst, HttpStatusCode failStatus = HttpStatusCode.InternalServerError)
    {
        _failuresLeft = failFirst;
        FailStatus = failStatus;
        // A free port can be taken between the probe and the bind: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
            try
            {
                listener.Start();
                _listener = listener;
                Url = new Uri($"http://127.0.0.1:{port}/hook/alerts");
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
        _loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    public HttpStatusCode FailStatus { get; }

    /// <summary>How many of the next POSTs fail; set it to make the endpoint fail again or recover.</summary>
    public int FailuresLeft
    {
        get => Volatile.Read(ref _failuresLeft);
        set => Volatile.Write(ref _failuresLeft, value);
    }

    /// <summary>Every POST body received, with the status it was answered with, in arrival order.</summary>
    public IReadOnlyList<(string Body, int Status)> Calls => [.. _calls];

    /// <summary>The bodies answered with 200: what the chat channel would show.</summary>
    public IReadOnlyList<string> Accepted => [.. _calls.Where(c => c.Status == 200).Select(c => c.Body)];

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
            string body;
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                body = await reader.ReadToEndAsync();
            }
            var fail = Interlocked.Decrement(ref _failuresLeft) >= 0;
            if (!fail)
            {
                Interlocked.Exchange(ref _failuresLeft, 0);
            }
            var status = fail ? (int)FailStatus : 200;
            _calls.Enqueue((body, status));
            context.Response.StatusCode = status;
            var answer = Encoding.UTF8.GetBytes(fail ? "simulated failure" : "1");
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
