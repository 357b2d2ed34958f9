using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Monitor.Tests.Infra;

/// <summary>infra/main.bicep compiled once by the real bicep CLI, with the build's output kept for the assertions.</summary>
public sealed partial class CompiledTemplate : IAsyncLifetime
{
    public BicepCli.Result Build { get; private set; } = null!;
    public JsonObject Root { get; private set; } = null!;

    /// <summary>The ARM JSON as text, for whole-template searches.</summary>
    public string Text => Build.StandardOutput;

    public async Task InitializeAsync()
    {
        Build = await BicepCli.RunAsync(CancellationToken.None, "build", BicepCli.MainTemplate, "--stdout");
        if (Build.ExitCode != 0)
        {
            throw new InvalidOperationException($"bicep build failed: {Build.Describe()}");
        }
        Root = JsonNode.Parse(Build.StandardOutput)?.AsObject() ?? throw new InvalidOperationException("bicep build printed no JSON");
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Every resource of the template and of its nested module deployments, with the template that declares it.</summary>
    public IEnumerable<(JsonObject Resource, JsonObject Template)> Resources() => ResourcesOf(Root);

    public IEnumerable<(JsonObject Resource, JsonObject Template)> OfType(string type) =>
        Resources().Where(r => string.Equals((string?)r.Resource["type"], type, StringComparison.OrdinalIgnoreCase));

    public (JsonObject Resource, JsonObject Template) Single(string type) => Assert.Single(OfType(type));

    private static IEnumerable<(JsonObject, JsonObject)> ResourcesOf(JsonObject template)
    {
        // languageVersion 2.0 templates key resources by symbolic name; 1.0 templates list them.
        var resources = template["resources"] switch
        {
            JsonArray array => array.Select(r => r!.AsObject()),
            JsonObject map => map.Select(p => p.Value!.AsObject()),
            _ => [],
        };
        foreach (var resource in resources)
        {
            yield return (resource, template);
            if ((string?)resource["type"] == "Microsoft.Resources/deployments" && resource["properties"]?["template"] is JsonObject nested)
            {
                foreach (var inner in ResourcesOf(nested))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>
    /// Resolves the few expression forms the assertions meet: a literal, "[variables('v')]", "[variables('v').p]" and
    /// "[parameters('p')]" (to its default value), recursively inside arrays and objects. Anything else is returned as
    /// it is, an expression string.
    /// </summary>
    public static JsonNode? Resolve(JsonNode? value, JsonObject template)
    {
        switch (value)
        {
            case JsonArray array:
                return new JsonArray(array.Select(v => Resolve(v, template)).ToArray());
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, item) in obj)
                {
                    copy[key] = Resolve(item, template);
                }
                return copy;
            case JsonValue scalar when scalar.TryGetValue<string>(out var text):
                var match = SimpleReference().Match(text);
                if (!match.Success)
                {
                    return scalar.DeepClone();
                }
                var source = match.Groups["kind"].Value == "variables"
                    ? template["variables"]?[match.Groups["name"].Value]
                    : template["parameters"]?[match.Groups["name"].Value]?["defaultValue"];
                if (source is null)
                {
                    return scalar.DeepClone();
                }
                if (match.Groups["property"].Success)
                {
                    source = source[match.Groups["property"].Value];
                }
                return Resolve(source, template);
            default:
                return value?.DeepClone();
        }
    }

    [GeneratedRegex(@"^\[(?<kind>variables|parameters)\('(?<name>[A-Za-z0-9_]+)'\)(\.(?<property>[A-Za-z0-9_]+))?\]$")]
    private static partial Regex SimpleReference();
}
