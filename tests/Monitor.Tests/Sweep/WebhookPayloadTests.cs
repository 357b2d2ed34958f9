using System.Text.Json;
using Monitor.Core.Alerts;
using Monitor.Core.Storage;

namespace Monitor.Tests.Sweep;

public sealed class WebhookPayloadTests
{
    private static readonly AlertEntity Alert = new()
    {
        PartitionKey = "2026-11",
        RowKey = "X<1>&*2*|update|overdue|0003",
        AlertId = "X<1>&*2*|update|overdue|0003",
        RequestId = "X<1>&*2*",
        RequestingParty = "US",
        RespondingParty = "CN",
        Category = "a_b",
        Priority = "high",
        Clock = "update",
        Level = "overdue",
        PreviousLevel = "at-risk",
        Cycle = 3,
        ReachedAt = DateTimeOffset.Parse("2026-11-20T09:00:00Z"),
        RaisedAt = DateTimeOffset.Parse("2026-11-20T09:05:00Z"),
        DueAt = DateTimeOffset.Parse("2026-11-20T09:00:00Z"),
    };

    [Fact]
    public void Slack_gets_text_with_its_three_control_characters_escaped()
    {
        using var json = JsonDocument.Parse(WebhookPayload.Build(Alert, "slack"));
        Assert.Equal(["text"], json.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            "OVERDUE: request X&lt;1&gt;&amp;*2* (US to CN, high, a_b): the update clock (cycle 3) reached overdue at 2026-11-20T09:00:00Z (due 2026-11-20T09:00:00Z)\n"
            + "Alert X&lt;1&gt;&amp;*2*|update|overdue|0003, raised by the sweep at 2026-11-20T09:05:00Z.",
            json.RootElement.GetProperty("text").GetString());
    }

    [Fact]
    public void Teams_gets_an_adaptive_card_with_markdown_and_html_escaped()
    {
        using var json = JsonDocument.Parse(WebhookPayload.Build(Alert, "Teams"));
        var card = json.RootElement.GetProperty("attachments")[0].GetProperty("content");
        Assert.Equal(@"OVERDUE: X&lt;1&gt;&amp;\*2\* update clock", card.GetProperty("body")[0].GetProperty("text").GetString());
        Assert.Equal("Attention", card.GetProperty("body")[0].GetProperty("color").GetString());
        var facts = card.GetProperty("body")[2].GetProperty("facts").EnumerateArray()
            .ToDictionary(f => f.GetProperty("title").GetString()!, f => f.GetProperty("value").GetString()!);
        Assert.Equal(@"a\_b", facts["Category"]);
        Assert.Equal("update (cycle 3)", facts["Clock"]);
        Assert.Equal("overdue (was at-risk)", facts["Level"]);
        Assert.Equal("2026-11-20T09:00:00Z", facts["Due (UTC)"]);
    }
}
