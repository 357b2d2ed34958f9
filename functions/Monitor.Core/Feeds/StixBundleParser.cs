using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

/// <summary>
/// Reads a STIX 2.0 or 2.1 bundle (or an array of bundles), streaming its "objects" array.
/// <list type="bullet">
/// <item>indicator: one record with the indicators of its pattern (<see cref="StixPattern"/>);</item>
/// <item>observed-data (2.0 "objects" dictionary, 2.1 object_refs) and top-level observables (ipv4-addr, ipv6-addr,
/// domain-name, url, email-addr, file hashes): one record each;</item>
/// <item>report: one record that binds the indicators and observables of its object_refs; bound objects are not
/// emitted on their own;</item>
/// <item>sighting: one record with the indicators of its sighting_of_ref and observed_data_refs;</item>
/// <item>everything else (identity, malware, campaign, relationship, …) is skipped: not records, not errors.</item>
/// </list>
/// A first pass collects which objects are referenced by reports, observed-data and sightings; the second pass emits
/// records and keeps only compact data (indicators, warnings, references) of referenced objects until the object that
/// refers to them has gone out. External references whose source_name is "request" or "monitor-request" (or, when
/// a request-ID pattern is given, whose external_id is one) become request references; every external_id and
/// description also goes to <see cref="FeedRecord.ReferenceText"/>. Custom properties x_monitor_kind and
/// x_monitor_reporter (or a label monitor:kind="…") set the record's kind and reporter.
/// </summary>
internal static class StixBundleParser
{
    private static readonly JsonPathPattern[] Objects = [JsonPathPattern.Parse("$.objects[*]"), JsonPathPattern.Parse("$[*].objects[*]")];
    private static readonly JsonPathPattern[] ObjectIds = [JsonPathPattern.Parse("$.objects[*].id"), JsonPathPattern.Parse("$[*].objects[*].id")];

    /// <summary>Observable types whose value or hashes are indicators.</summary>
    private static readonly HashSet<string> Observables = ["ipv4-addr", "ipv6-addr", "domain-name", "url", "email-addr", "file"];

    /// <exception cref="FeedFormatException">The file is not JSON or has no "objects" array.</exception>
    public static IAsyncEnumerable<FeedEntry> ParseAsync(FeedSource source, FeedLimits limits, CancellationToken cancellationToken) =>
        ParseAsync(source, limits, requestIdPattern: null, cancellationToken);

    /// <param name="requestIdPattern">When given, an external_id it matches whole is a request reference whatever its source_name.</param>
    /// <exception cref="FeedFormatException">The file is not JSON or has no "objects" array.</exception>
    public static async IAsyncEnumerable<FeedEntry> ParseAsync(
        FeedSource source,
        FeedLimits limits,
        Regex? requestIdPattern,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var bindings = await CollectBindingsAsync(source, limits, cancellationToken).ConfigureAwait(false);
        var assembler = new BundleAssembler(bindings, limits, requestIdPattern);
        var any = false;
        bool reached;
        await using (var stream = await source.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            using var reader = new JsonStreamReader(stream, limits);
            var items = reader.ReadValuesAsync(Objects, cancellationToken);
            await foreach (var entry in JsonFeedEntries.ReadAsync(items, Assemble, entriesBefore: false, cancellationToken).ConfigureAwait(false))
            {
                any = true;
                yield return entry;
            }

            reached = Array.Exists(Objects, reader.Reached);
        }

        if (!reached && !any)
        {
            throw new FeedFormatException("no \"objects\" array: the file is not a STIX bundle", "$");
        }

        // Reports and sightings still waiting go out now, naming what they could not resolve.
        assembler.Finish();
        while (assembler.TryTake(out var entry))
        {
            yield return entry;
        }

        if (assembler.Skipped.Count > 0)
        {
            yield return new FeedNotice("$.objects", Counted($"{assembler.Skipped.Values.Sum()} STIX objects of types that hold no indicators were not read", assembler.Skipped));
        }

        // An object can complete no entry yet, or several at once (see BundleAssembler).
        IEnumerable<FeedEntry> Assemble(JsonStreamItem item)
        {
            assembler.Accept(item.Path, item.Value);
            while (assembler.TryTake(out var completed))
            {
                yield return completed;
            }
        }
    }

    /// <summary>
    /// Pass 1: which objects reports, observed-data and sightings refer to, how many refer to each, and whether each is
    /// in the file. An object seen before the one that refers to it is checked by a quick pass over the ids only.
    /// </summary>
    private static async Task<Dictionary<string, Binding>> CollectBindingsAsync(FeedSource source, FeedLimits limits, CancellationToken cancellationToken)
    {
        var bindings = new Dictionary<string, Binding>(StringComparer.Ordinal);
        await using (var stream = await source.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            using var reader = new JsonStreamReader(stream, limits);
            await foreach (var item in reader.ReadValuesAsync(Objects, cancellationToken).ConfigureAwait(false))
            {
                // Broken objects are reported by the second pass.
                if (item.IsError || item.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var value = item.Value;
                if (JsonText.String(value, "id") is { } id && bindings.TryGetValue(id, out var seen))
                {
                    seen.Present = true;
                }

                foreach (var (_, target, suppresses) in References(value))
                {
                    if (!bindings.TryGetValue(target, out var binding))
                    {
                        bindings[target] = binding = new Binding();
                    }

                    binding.Containers++;
                    binding.Suppressed |= suppresses;
                }
            }
        }

        if (bindings.Values.Any(b => !b.Present))
        {
            await using var stream = await source.OpenAsync(cancellationToken).ConfigureAwait(false);
            using var reader = new JsonStreamReader(stream, limits);
            await foreach (var item in reader.ReadValuesAsync(ObjectIds, cancellationToken).ConfigureAwait(false))
            {
                if (!item.IsError && item.Value.ValueKind == JsonValueKind.String && bindings.TryGetValue(item.Value.GetString()!, out var binding))
                {
                    binding.Present = true;
                }
            }
        }

        return bindings;
    }

    /// <summary>The distinct references of a report, observed-data or sighting to objects that carry indicators.</summary>
    private static IEnumerable<(string Field, string Target, bool Suppresses)> References(JsonElement value)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        switch (JsonText.String(value, "type"))
        {
            case "report":
            case "observed-data":
                foreach (var target in JsonText.Strings(value, "object_refs"))
                {
                    if (IsBindable(target) && seen.Add(target))
                    {
                        yield return ("object_refs", target, true);
                    }
                }

                break;
            case "sighting":
                foreach (var target in JsonText.Strings(value, "sighting_of_ref").Concat(JsonText.Strings(value, "observed_data_refs")))
                {
                    if (IsBindable(target) && seen.Add(target))
                    {
                        yield return (target.StartsWith("observed-data--", StringComparison.Ordinal) ? "observed_data_refs" : "sighting_of_ref", target, false);
                    }
                }

                break;
        }
    }

    /// <summary>"what: type ×count, ..." with the most frequent types first.</summary>
    internal static string Counted(string what, Dictionary<string, int> counts) =>
        $"{what}: {string.Join(", ", counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} ×{c.Value}"))}";

    private static string TypeOf(string id) => id.IndexOf("--", StringComparison.Ordinal) is var dash and > 0 ? id[..dash] : id;

    private static bool IsBindable(string id) => TypeOf(id) is "indicator" or "observed-data" || Observables.Contains(TypeOf(id));

    /// <summary>What pass 1 learnt about one referenced object, and its compact data once pass 2 has read it.</summary>
    private sealed class Binding
    {
        /// <summary>How many reports, observed-data and sightings refer to it and have not gone out yet.</summary>
        public int Containers { get; set; }

        /// <summary>A report or observed-data binds it: it is not emitted on its own.</summary>
        public bool Suppressed { get; set; }

        public bool Present { get; set; }

        public bool Stored { get; set; }

        public BoundData? Data { get; set; }
    }

    /// <summary>What a record that refers to an object takes from it.</summary>
    private sealed record BoundData(List<RawIndicator> Indicators, List<string> Warnings, List<string> RequestRefs, List<string> ReferenceText);

    /// <summary>One STIX object read into the fields a record needs.</summary>
    private sealed class StixObject(string location, string id, string type)
    {
        public string Location { get; } = location;
        public string Id { get; } = id;
        public string Type { get; } = type;
        public string? Kind { get; set; }
        public string? Reporter { get; set; }
        public DateTimeOffset? ReportedAt { get; set; }
        public string? Summary { get; set; }
        public List<string> RequestRefs { get; } = [];
        public List<string> ReferenceText { get; } = [];
        public List<RawIndicator> Indicators { get; } = [];
        public List<string> Warnings { get; } = [];
        public List<string> Errors { get; } = [];

        /// <summary>Objects this one binds (report, observed-data) or points at (sighting), with the property that named them.</summary>
        public List<(string Field, string Target)> References { get; } = [];
    }

    /// <summary>A report, observed-data or sighting waiting for objects it refers to that come later in the file.</summary>
    private sealed class Container(StixObject value)
    {
        public StixObject Value { get; } = value;
        public HashSet<string> Waiting { get; } = new(StringComparer.Ordinal);
        public bool Done { get; set; }
    }

    /// <summary>Pass 2: turns objects into records, holding back what refers to objects not read yet.</summary>
    private sealed class BundleAssembler(Dictionary<string, Binding> bindings, FeedLimits limits, Regex? requestIdPattern)
    {
        private readonly Queue<FeedEntry> _output = new();
        private readonly Dictionary<string, List<Container>> _waiters = new(StringComparer.Ordinal);
        private readonly List<Container> _pending = [];

        /// <summary>Objects of types that are not records, counted by type.</summary>
        public Dictionary<string, int> Skipped { get; } = new(StringComparer.Ordinal);

        public bool TryTake(out FeedEntry entry) => _output.TryDequeue(out entry!);

        public void Accept(string location, JsonElement value)
        {
            if (value.ValueKind != JsonValueKind.Object)
            {
                _output.Enqueue(new FeedRejection(location, $"a STIX object must be a JSON object, not a JSON {JsonFeedParser.Describe(value.ValueKind)}", null, JsonText.Raw(value)));
                return;
            }

            var type = JsonText.String(value, "type");
            if (type is null)
            {
                _output.Enqueue(new FeedRejection(location, "STIX object has no type", JsonText.String(value, "id"), JsonText.Raw(value)));
                return;
            }

            if (type is not ("indicator" or "observed-data" or "report" or "sighting") && !Observables.Contains(type))
            {
                // identity, malware, campaign, relationship, infrastructure, observables without indicators, …
                Skipped[type] = Skipped.GetValueOrDefault(type) + 1;
                return;
            }

            var id = JsonText.String(value, "id");
            if (id is null)
            {
                _output.Enqueue(new FeedRejection(location, $"STIX {type} has no id", null, JsonText.Raw(value)));
                return;
            }

            var suppressed = bindings.TryGetValue(id, out var binding) && binding.Suppressed;
            var item = new StixObject(location, id, type);
            ReadCommon(value, item);
            switch (type)
            {
                case "indicator":
                    ReadTimestamp(value, item, suppressed, "modified", "created");
                    ReadPattern(value, item);
                    break;
                case "observed-data":
                    ReadTimestamp(value, item, suppressed, "modified", "created");
                    ReadObservedData(value, item);
                    break;
                case "report":
                    ReadTimestamp(value, item, suppressed, "published", "modified", "created");
                    item.References.AddRange(References(value).Select(r => (r.Field, r.Target)));
                    break;
                case "sighting":
                    ReadTimestamp(value, item, suppressed, "last_seen", "first_seen", "modified", "created");
                    item.References.AddRange(References(value).Select(r => (r.Field, r.Target)));
                    break;
                default:
                    ReadTimestamp(value, item, suppressed, "modified", "created");
                    ReadObservable(value, type, item, label: null);
                    break;
            }

            if (item.Errors.Count > 0)
            {
                var reason = string.Join("; ", item.Errors);
                _output.Enqueue(new FeedRejection(location, reason, id, JsonText.Raw(value)));
                Store(id, new BoundData([], [$"{id} could not be read: {reason}"], [], []), suppressed);
                return;
            }

            if (item.References.Count == 0)
            {
                Complete(item);
                return;
            }

            var container = new Container(item);
            foreach (var (_, target) in item.References)
            {
                if (bindings.TryGetValue(target, out var wanted) && wanted.Present && !wanted.Stored)
                {
                    container.Waiting.Add(target);
                    if (!_waiters.TryGetValue(target, out var list))
                    {
                        _waiters[target] = list = [];
                    }

                    list.Add(container);
                }
            }

            if (container.Waiting.Count == 0)
            {
                Finalize(container);
            }
            else
            {
                _pending.Add(container);
            }
        }

        /// <summary>At the end of the file: containers still waiting (the file was cut short, or they refer to each other) go out with what they have.</summary>
        public void Finish()
        {
            foreach (var container in _pending)
            {
                if (!container.Done)
                {
                    Finalize(container);
                }
            }

            _pending.Clear();
        }

        private void Finalize(Container container)
        {
            container.Done = true;
            var item = container.Value;
            foreach (var (field, target) in item.References)
            {
                if (!bindings.TryGetValue(target, out var binding))
                {
                    continue;
                }

                if (binding.Data is { } data)
                {
                    Merge(item, data, target);
                }
                else if (!binding.Present)
                {
                    item.Warnings.Add($"{field} {target} is not in this bundle");
                }
                else
                {
                    item.Warnings.Add($"{field} {target} could not be resolved");
                }

                if (--binding.Containers <= 0)
                {
                    binding.Data = null;
                }
            }

            Complete(item);
        }

        /// <summary>An object whose indicators are all known: keep it for those who refer to it, and emit it unless a report or observed-data binds it.</summary>
        private void Complete(StixObject item)
        {
            var suppressed = Store(item.Id, new BoundData(item.Indicators, item.Warnings, item.RequestRefs, item.ReferenceText), suppressed: false);
            if (!suppressed)
            {
                Emit(item);
            }
        }

        /// <summary>Keeps <paramref name="data"/> for the containers that refer to <paramref name="id"/> and releases those that were waiting for it. Returns whether the object is bound (not emitted alone).</summary>
        private bool Store(string id, BoundData data, bool suppressed)
        {
            if (!bindings.TryGetValue(id, out var binding))
            {
                return suppressed;
            }

            binding.Stored = true;
            if (binding.Containers > 0)
            {
                binding.Data = data;
            }

            if (_waiters.Remove(id, out var waiting))
            {
                foreach (var container in waiting)
                {
                    container.Waiting.Remove(id);
                    if (container.Waiting.Count == 0 && !container.Done)
                    {
                        Finalize(container);
                    }
                }
            }

            return binding.Suppressed;
        }

        private static void Merge(StixObject into, BoundData data, string source)
        {
            into.Indicators.AddRange(data.Indicators);
            into.RequestRefs.AddRange(data.RequestRefs);
            into.ReferenceText.AddRange(data.ReferenceText);
            foreach (var warning in data.Warnings)
            {
                into.Warnings.Add(warning.StartsWith(source, StringComparison.Ordinal) ? warning : $"{source}: {warning}");
            }
        }

        private void Emit(StixObject item)
        {
            var indicators = item.Indicators.Distinct().ToList();
            if (indicators.Count > limits.MaxIndicatorsPerRecord)
            {
                _output.Enqueue(new FeedRejection(item.Location, $"{indicators.Count} indicators, more than the limit of {limits.MaxIndicatorsPerRecord}", item.Id));
                return;
            }

            _output.Enqueue(new FeedRecord(item.Location, item.Id)
            {
                ReportedAt = item.ReportedAt,
                Reporter = item.Reporter,
                Kind = item.Kind,
                RequestRefs = item.RequestRefs.Distinct(StringComparer.Ordinal).ToList(),
                Indicators = indicators,
                Summary = item.Summary,
                ReferenceText = item.ReferenceText.Distinct(StringComparer.Ordinal).ToList(),
                Warnings = item.Warnings.Distinct(StringComparer.Ordinal).ToList(),
            });
        }

        private void ReadCommon(JsonElement value, StixObject item)
        {
            var name = JsonText.String(value, "name");
            var description = JsonText.String(value, "description");
            var summary = name is not null && description is not null ? $"{name}: {description}" : name ?? description;
            item.Summary = JsonText.Limit(summary, limits.MaxFieldLength, "name and description", item.Warnings);
            AddText(item, name);
            AddText(item, description);

            var labels = JsonText.Strings(value, "labels").ToList();
            foreach (var label in labels)
            {
                AddText(item, label);
            }

            var kind = JsonText.String(value, "x_monitor_kind")
                ?? labels.Select(label => MonitorTags.KindOf(label)).FirstOrDefault(k => k is not null)
                ?? item.Type;
            item.Kind = FeedFieldParsing.NormalizeKind(kind);
            item.Reporter = JsonText.String(value, "x_monitor_reporter");

            if (JsonText.Property(value, "external_references") is not { ValueKind: JsonValueKind.Array } references)
            {
                return;
            }

            foreach (var reference in references.EnumerateArray())
            {
                var source = JsonText.String(reference, "source_name");
                var externalId = JsonText.String(reference, "external_id");
                if (externalId is not null)
                {
                    AddText(item, externalId);
                    if (source is not null && (source.Equals("request", StringComparison.OrdinalIgnoreCase) || source.Equals("monitor-request", StringComparison.OrdinalIgnoreCase)))
                    {
                        item.RequestRefs.Add(externalId);
                    }
                    else if (requestIdPattern?.Match(externalId) is { Success: true } match && match.Length == externalId.Length)
                    {
                        item.RequestRefs.Add(externalId);
                    }
                }

                AddText(item, JsonText.String(reference, "description"));
            }
        }

        private void AddText(StixObject item, string? text)
        {
            if (JsonText.Limit(text, limits.MaxFieldLength, "reference text", item.Warnings) is { } limited)
            {
                item.ReferenceText.Add(limited);
            }
        }

        /// <summary>The first of <paramref name="fields"/> that is present is the record's time; an invalid one is an error unless the object is bound (its time is not used then).</summary>
        private static void ReadTimestamp(JsonElement value, StixObject item, bool bound, params string[] fields)
        {
            foreach (var field in fields)
            {
                if (JsonText.String(value, field) is not { } text)
                {
                    continue;
                }

                if (FeedFieldParsing.TryParseTimestamp(field, text, out var parsed, out var error))
                {
                    item.ReportedAt = parsed;
                }
                else
                {
                    (bound ? item.Warnings : item.Errors).Add(error);
                }

                return;
            }
        }

        private static void ReadPattern(JsonElement value, StixObject item)
        {
            var patternType = JsonText.String(value, "pattern_type");
            if (patternType is not null && !patternType.Equals("stix", StringComparison.OrdinalIgnoreCase))
            {
                item.Warnings.Add($"pattern_type '{FeedFieldParsing.Shorten(patternType)}' is not STIX patterning; its pattern was not read");
                return;
            }

            if (JsonText.Property(value, "pattern") is not { ValueKind: JsonValueKind.String } pattern)
            {
                item.Errors.Add("indicator has no pattern");
                return;
            }

            if (StixPattern.TryParse(pattern.GetString()!, out var parsed, out var error))
            {
                item.Indicators.AddRange(parsed.Indicators);
                item.Warnings.AddRange(parsed.Warnings);
            }
            else
            {
                item.Errors.Add(error);
            }
        }

        private static void ReadObservedData(JsonElement value, StixObject item)
        {
            // STIX 2.0: the observables sit inside, keyed "0", "1", …
            if (JsonText.Property(value, "objects") is { ValueKind: JsonValueKind.Object } objects)
            {
                foreach (var entry in objects.EnumerateObject())
                {
                    var type = JsonText.String(entry.Value, "type");
                    if (type is null)
                    {
                        item.Warnings.Add($"objects['{entry.Name}'] has no type");
                        continue;
                    }

                    ReadObservable(entry.Value, type, item, $"objects['{entry.Name}']");
                }
            }

            // STIX 2.1: references to top-level observables; the bindable ones are resolved by reference.
            foreach (var target in JsonText.Strings(value, "object_refs"))
            {
                if (!IsBindable(target) && TypeOf(target) != "relationship")
                {
                    item.Warnings.Add($"object_refs {target}: observable type '{TypeOf(target)}' is not supported");
                }
            }

            item.References.AddRange(References(value).Select(r => (r.Field, r.Target)));
        }

        private static void ReadObservable(JsonElement value, string type, StixObject item, string? label)
        {
            var where = label is null ? "" : $"{label}: ";
            switch (type)
            {
                case "ipv4-addr" or "ipv6-addr" or "domain-name" or "url" or "email-addr":
                    if (JsonText.String(value, "value") is not { } text)
                    {
                        item.Warnings.Add($"{where}{type} without a value");
                        return;
                    }

                    IndicatorType hint = type switch
                    {
                        "domain-name" => IndicatorType.Domain,
                        "url" => IndicatorType.Url,
                        "email-addr" => IndicatorType.Email,
                        _ => text.Contains('/') ? IndicatorType.Cidr : IndicatorType.Ip,
                    };
                    item.Indicators.Add(new RawIndicator(text, hint));
                    return;
                case "file":
                    if (JsonText.Property(value, "hashes") is not { ValueKind: JsonValueKind.Object } hashes)
                    {
                        item.Warnings.Add($"{where}file without hashes");
                        return;
                    }

                    foreach (var hash in hashes.EnumerateObject())
                    {
                        if (StixPattern.HashType(hash.Name) is { } hashType && hash.Value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(hash.Value.GetString()))
                        {
                            item.Indicators.Add(new RawIndicator(hash.Value.GetString()!.Trim(), hashType));
                        }
                        else
                        {
                            item.Warnings.Add($"{where}file hash '{hash.Name}' is not supported");
                        }
                    }

                    return;
                default:
                    item.Warnings.Add($"{where}observable type '{type}' is not supported");
                    return;
            }
        }
    }
}

/// <summary>Tags and labels by which a feed states a record's kind: <c>monitor:kind="response"</c>.</summary>
internal static partial class MonitorTags
{
    public static string? KindOf(string tag) => KindTag().Match(tag) is { Success: true } match ? match.Groups["kind"].Value.Trim() : null;

    [GeneratedRegex("""^\s*monitor:kind\s*=\s*"?(?<kind>[^"]+?)"?\s*$""", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KindTag();
}
