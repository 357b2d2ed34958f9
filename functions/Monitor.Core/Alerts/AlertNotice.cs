using System.Globalization;
using System.Net;
using System.Text;
using MimeKit;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Core.Alerts;

/// <summary>
/// What a person is told about an alert: the alert row, the parties' time zones (from their calendars) and the link to
/// the request's page. E-mail, Teams and the digest mail are built from it.
/// </summary>
/// <param name="Zones">Each party's zone, requesting party first; a party without a calendar is left out.</param>
/// <param name="Link"><c>Monitor:PublicBaseUrl</c> + <c>/requests/&lt;id&gt;</c>; null when no public URL is configured.</param>
public sealed record AlertNotice(AlertEntity Alert, IReadOnlyList<(string Party, DateTimeZone Zone)> Zones, Uri? Link)
{
    /// <summary><c>[Monitor] &lt;request ID&gt; &lt;clock&gt; &lt;level&gt;</c>, e.g. <c>[Monitor] REQ-2026-0104 response escalated</c>.</summary>
    public string Subject => $"[Monitor] {Alert.RequestId} {Alert.Clock} {Alert.Level}";

    public static Uri? LinkOf(string? publicBaseUrl, string requestId) =>
        string.IsNullOrWhiteSpace(publicBaseUrl) ? null : new Uri($"{publicBaseUrl.Trim().TrimEnd('/')}/requests/{Uri.EscapeDataString(requestId)}");

    /// <summary>The facts, in reading order (an empty value is left out rather than shown blank).</summary>
    public IEnumerable<(string Name, string Value)> Facts() => AllFacts().Where(f => f.Value.Length > 0);

    private IEnumerable<(string Name, string Value)> AllFacts()
    {
        var a = Alert;
        yield return ("Request", a.RequestId);
        yield return ("Requesting party", a.RequestingParty);
        yield return ("Responding party", a.RespondingParty);
        yield return ("Category", a.Category);
        yield return ("Priority", a.Priority);
        yield return ("Clock", a.Clock + WebhookPayload.CycleText(a));
        yield return ("Level", $"{a.Level} (was {a.PreviousLevel ?? "unknown"})");
        yield return ("Reached at (UTC)", WebhookPayload.Utc(a.ReachedAt));
        if (a.DueAt is { } due)
        {
            yield return ("Due (UTC)", WebhookPayload.Utc(due));
            foreach (var (party, zone) in Zones)
            {
                yield return ($"Due ({party}, {zone.Id})", Instant.FromDateTimeOffset(due).InZone(zone).ToString("yyyy-MM-dd HH:mm (ddd) o<+HH:mm>", CultureInfo.InvariantCulture));
            }
        }
        if (!string.IsNullOrEmpty(a.Why))
        {
            yield return ("Why", a.Why);
        }
        yield return ("Alert", a.AlertId);
        if (!string.IsNullOrEmpty(a.CalendarWarning))
        {
            yield return ("Calendar warning", a.CalendarWarning);
        }
    }

    /// <summary>The e-mail: a plain-text and an HTML part with the same content.</summary>
    public MimeMessage ToEmail(MailboxAddress from, IEnumerable<string> recipients)
    {
        var headline = WebhookPayload.Headline(Alert);
        var text = new StringBuilder().AppendLine(headline).AppendLine();
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html><body style=\"font-family:sans-serif\"><p><strong>").Append(WebUtility.HtmlEncode(headline)).Append("</strong></p><table>");
        foreach (var (name, value) in Facts())
        {
            text.Append(name).Append(": ").AppendLine(value);
            html.Append("<tr><th style=\"text-align:left;padding-right:1em\">").Append(WebUtility.HtmlEncode(name)).Append("</th><td>")
                .Append(WebUtility.HtmlEncode(value)).Append("</td></tr>");
        }
        html.Append("</table>");
        if (Link is { } link)
        {
            text.AppendLine().Append("Open the request: ").AppendLine(link.AbsoluteUri);
            html.Append("<p><a href=\"").Append(WebUtility.HtmlEncode(link.AbsoluteUri)).Append("\">Open the request</a></p>");
        }
        text.AppendLine().Append("Raised by the sweep at ").Append(WebhookPayload.Utc(Alert.RaisedAt)).AppendLine(".");
        html.Append("<p>Raised by the sweep at ").Append(WebhookPayload.Utc(Alert.RaisedAt)).Append(".</p></body></html>");
        var message = new MimeMessage { Subject = Subject };
        message.From.Add(from);
        message.To.AddRange(recipients.Select(MailboxAddress.Parse));
        // A stable Message-ID per alert and route lets a mail client fold a rare repeat (a crash between send and mark).
        message.MessageId = $"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(Alert.AlertId + "\n" + string.Join(",", message.To))))[..32]}@monitor";
        message.Body = new BodyBuilder { TextBody = text.ToString(), HtmlBody = html.ToString() }.ToMessageBody();
        return message;
    }
}
