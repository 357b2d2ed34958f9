using System.Text.Json;
using Monitor.Core.Alerts;
using Monitor.Core.Storage;
using NodaTime;

namespace Monitor.Tests.Alerts;

/// <summary>
/// The Teams payload is a Workflows message holding one Adaptive Card. Checked against what the card schema
/// (adaptivecards.io, version 1.4) requires of each element that it uses, and against what the Workflows trigger
/// "When a Teams webhook request is received" reads: type "message" and attachments with the card's content type.
/// </summary>
public sealed class AdaptiveCardTests
{
    private static readonly AlertEntity Alert = new()
    {
        PartitionKey = "2026-11",
        RowKey = "REQ-2026-0104|response|escalated|0000",
        AlertId = "REQ-2026-0104|response|escalated|0000",
        RequestId = "REQ-2026-0104",
        RequestingParty = "US",
        RespondingParty = "CN",
        Category = "investigation",
        Priority = "high",
        Clock = "response",
        Level = "escalated",
        PreviousLevel = "overdue",
        ReachedAt = DateTimeOffset.Parse("2026-11-27T09:00:00Z"),
        RaisedAt = DateTimeOffset.Parse("2026-11-27T09:05:00Z"),
        DueAt = DateTimeOffset.Parse("2026-11-20T09:00:00Z"),
        Why = "escalated: due 2026-11-20T09:00:00Z, escalation threshold passed at 2026-11-27T09:00:00Z",
    };

    [Fact]
    public void The_card_has_every_field_the_schema_requires_and_links_the_request()
    {
        var notice = new AlertNotice(Alert, [("US", DateTimeZoneProviders.Tzdb["America/New_York"]), ("CN", DateTimeZoneProviders.Tzdb["Asia/Shanghai"])],
            AlertNotice.LinkOf("https://monitor.example.org", Alert.RequestId));
        using var json = JsonDocument.Parse(WebhookPayload.Build(notice, "teams"));
        var root = json.RootElement;

        Assert.Equal("message", root.GetProperty("type").GetString());
        var attachment = Assert.Single(root.GetProperty("attachments").EnumerateArray());
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal("http://adaptivecards.io/schemas/adaptive-card.json", card.GetProperty("$schema").GetString());
        Assert.Matches(@"^1\.[0-6]$", card.GetProperty("version").GetString());

        var body = card.GetProperty("body").EnumerateArray().ToList();
        Assert.NotEmpty(body);
        foreach (var element in body)
        {
            switch (element.GetProperty("type").GetString())
            {
                case "TextBlock":
                    Assert.False(string.IsNullOrWhiteSpace(element.GetProperty("text").GetString()));
                    break;
                case "FactSet":
                    var facts = element.GetProperty("facts").EnumerateArray().ToList();
                    Assert.NotEmpty(facts);
                    Assert.All(facts, f => Assert.Equal(["title", "value"], f.EnumerateObject().Select(p => p.Name)));
                    Assert.All(facts, f => Assert.Equal(JsonValueKind.String, f.GetProperty("value").ValueKind));
                    break;
                default:
                    Assert.Fail($"unexpected element {element}");
                    break;
            }
        }
        var factValues = body.Single(e => e.GetProperty("type").GetString() == "FactSet").GetProperty("facts").EnumerateArray()
            .ToDictionary(f => f.GetProperty("title").GetString()!, f => f.GetProperty("value").GetString()!);
        Assert.Equal("2026-11-20 04:00 (Fri) -05:00", factValues["Due (US, America/New_York)"]);
        Assert.Equal("2026-11-20 17:00 (Fri) +08:00", factValues["Due (CN, Asia/Shanghai)"]);

        var action = Assert.Single(card.GetProperty("actions").EnumerateArray());
        Assert.Equal("Action.OpenUrl", action.GetProperty("type").GetString());
        Assert.Equal("https://monitor.example.org/requests/REQ-2026-0104", action.GetProperty("url").GetString());
        Assert.False(string.IsNullOrWhiteSpace(action.GetProperty("title").GetString()));
    }

    [Fact]
    public void The_email_subject_is_monitor_request_clock_level()
    {
        var notice = new AlertNotice(Alert, [], null);
        var mail = notice.ToEmail(new MimeKit.MailboxAddress("Monitor", "monitor@example.org"), ["hotline@example.org"]);
        Assert.Equal("[Monitor] REQ-2026-0104 response escalated", mail.Subject);
        Assert.NotNull(mail.TextBody);
        Assert.NotNull(mail.HtmlBody);
        Assert.DoesNotContain("Open the request", mail.TextBody);
    }
}
