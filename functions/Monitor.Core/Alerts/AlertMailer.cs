using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Monitor.Core.Alerts;

/// <summary>Sends e-mail through the SMTP relay of <see cref="EmailOptions"/> with MailKit: one connection per batch of messages.</summary>
public sealed partial class AlertMailer(IOptions<EmailOptions> options, IConfiguration configuration, ILogger<AlertMailer> logger)
{
    public bool Enabled => options.Value.Enabled;

    /// <summary>The sender (validated at start-up whenever a relay is configured).</summary>
    public MailboxAddress From => MailboxAddress.Parse(options.Value.From ?? throw new InvalidOperationException(NotConfigured));

    public const string NotConfigured = "no SMTP relay is configured (Monitor:Email:Host)";

    /// <summary>Sends one message; returns null when the relay accepted it, else the reason (never throws for a failed delivery).</summary>
    public async Task<string?> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            return NotConfigured;
        }
        using var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        try
        {
            var security = settings.Security.ToLowerInvariant() switch
            {
                "none" => SecureSocketOptions.None,
                "tls" => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTls,
            };
            await client.ConnectAsync(settings.Host!.Trim(), settings.Port, security, cancellationToken);
            if (!string.IsNullOrWhiteSpace(settings.UserName))
            {
                var password = configuration[settings.PasswordSetting!]
                    ?? throw new AuthenticationException($"the setting '{settings.PasswordSetting}' named by Monitor:Email:PasswordSetting is empty");
                await client.AuthenticateAsync(settings.UserName, password, cancellationToken);
            }
            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return null;
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or SmtpCommandException or SmtpProtocolException
                                       or AuthenticationException or SslHandshakeException or ServiceNotConnectedException or TimeoutException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var reason = $"SMTP {settings.Host}:{settings.Port}: {ex.GetBaseException().Message}";
            reason = reason.Length <= 300 ? reason : reason[..300];
            LogFailed(message.Subject ?? "", reason);
            return reason;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "E-mail '{Subject}' was not sent: {Reason}")]
    private partial void LogFailed(string subject, string reason);
}
