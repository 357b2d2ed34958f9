using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Serialization;

namespace Monitor.Tests.Infrastructure;

/// <summary>One message as MailDev's REST API (<c>GET /api/email</c>) returns it.</summary>
public sealed record MailDevMessage(
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("to")] IReadOnlyList<MailDevAddress> To,
    [property: JsonPropertyName("from")] IReadOnlyList<MailDevAddress> From,
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("html")] string? Html,
    [property: JsonPropertyName("messageId")] string? MessageId);

public sealed record MailDevAddress([property: JsonPropertyName("address")] string Address, [property: JsonPropertyName("name")] string? Name);

/// <summary>
/// The MailDev that scripts/test.sh starts (scripts/maildev.sh) beside Azurite: a real SMTP server whose REST API lists
/// what it received. Its ports come from MONITOR_MAILDEV_SMTP_PORT and MONITOR_MAILDEV_WEB_PORT. Tests share it, so each
/// uses recipient addresses of its own and reads only their messages. MailDev answers the SMTP DATA command only after
/// it has stored the message, so a message the sender saw accepted is already listed: no waiting.
/// </summary>
public static class MailDev
{
    private static readonly HttpClient Http = new();

    public static int SmtpPort => Port("MONITOR_MAILDEV_SMTP_PORT");

    public static int WebPort => Port("MONITOR_MAILDEV_WEB_PORT");

    /// <summary>The settings that send e-mail to MailDev (plain SMTP on 127.0.0.1).</summary>
    public static Dictionary<string, string?> EmailSettings(int? port = null) => new()
    {
        ["Monitor:Email:Host"] = "127.0.0.1",
        ["Monitor:Email:Port"] = (port ?? SmtpPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Monitor:Email:From"] = "Monitor <monitor@example.org>",
        ["Monitor:Email:Security"] = "none",
        ["Monitor:Email:Timeout"] = "00:00:10",
    };

    /// <summary>Every message MailDev holds that has one of <paramref name="recipients"/> among its To addresses.</summary>
    public static async Task<List<MailDevMessage>> MessagesToAsync(params string[] recipients)
    {
        var all = await Http.GetFromJsonAsync<List<MailDevMessage>>($"http://127.0.0.1:{WebPort}/api/email") ?? [];
        return [.. all.Where(m => m.To.Any(t => recipients.Contains(t.Address, StringComparer.OrdinalIgnoreCase)))];
    }

    private static int Port(string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), out var port)
            ? port
            : throw new InvalidOperationException(
                $"MailDev is not running: {variable} is not set. The e-mail tests need the MailDev that scripts/test.sh starts "
                + "(or: `source scripts/azurite.sh && source scripts/maildev.sh && start_maildev` before `dotnet test`).");
}

/// <summary>
/// A TCP relay in front of MailDev that can be taken down: while <see cref="Down"/>, it accepts each connection and
/// closes it at once, as a relay in an outage does; otherwise it forwards the bytes both ways.
/// </summary>
public sealed class SmtpGate : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _loop;
    private readonly int _target;
    private readonly CancellationTokenSource _stop = new();
    private int _refused;

    public SmtpGate(int targetPort)
    {
        _target = targetPort;
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public volatile bool Down;

    /// <summary>Connections closed while down: proof that a sender tried.</summary>
    public int Refused => Volatile.Read(ref _refused);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (Down)
            {
                Interlocked.Increment(ref _refused);
                client.Dispose();
                continue;
            }
            _ = Task.Run(() => ForwardAsync(client));
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(IPAddress.Loopback, _target, _stop.Token);
                var a = client.GetStream();
                var b = server.GetStream();
                // When either side closes, the other is closed too.
                await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
