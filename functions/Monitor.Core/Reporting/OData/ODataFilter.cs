using System.Globalization;
using Azure.Data.Tables;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using Monitor.Core.Storage;

namespace Monitor.Core.Reporting.OData;

/// <summary>
/// A parsed <c>$filter</c> split in two: the part Table Storage can answer (<see cref="Server"/>, built with
/// <see cref="TableFilter"/>, so values are quoted by the SDK) and whether the rows it returns still need the whole
/// expression applied in memory (<see cref="NeedsResidual"/>). The server part is always a superset of the answer.
/// </summary>
internal sealed class ODataFilter
{
    private readonly SingleValueNode? _expression;

    private ODataFilter(SingleValueNode? expression, TableFilter? server, bool needsResidual, IReadOnlySet<string> properties)
    {
        _expression = expression;
        Server = server;
        NeedsResidual = needsResidual;
        Properties = properties;
    }

    public static ODataFilter None { get; } = new(null, null, false, new HashSet<string>());

    public TableFilter? Server { get; }

    /// <summary>True when some part of the filter could not be sent to Table Storage exactly: rows are checked here.</summary>
    public bool NeedsResidual { get; }

    /// <summary>The columns the filter reads (a $select must still fetch them when the filter is applied here).</summary>
    public IReadOnlySet<string> Properties { get; }

    /// <summary>Validates <paramref name="clause"/> (supported operators and functions only) and translates what it can.</summary>
    public static ODataFilter From(FilterClause? clause, ODataEntitySet set)
    {
        if (clause is null)
        {
            return None;
        }
        var properties = new HashSet<string>(StringComparer.Ordinal);
        Validate(clause.Expression, properties);
        var (server, exact) = Translate(clause.Expression, set);
        return new ODataFilter(clause.Expression, server, !exact || server is null, properties);
    }

    /// <summary>The OData value of the expression for one row (null-aware as OData v4 defines it).</summary>
    public bool Matches(TableEntity row) => _expression is null || Evaluate(_expression, row) is true;

    private static void Validate(QueryNode node, HashSet<string> properties)
    {
        switch (node)
        {
            case BinaryOperatorNode binary when binary.OperatorKind is BinaryOperatorKind.And or BinaryOperatorKind.Or
                or BinaryOperatorKind.Equal or BinaryOperatorKind.NotEqual or BinaryOperatorKind.GreaterThan
                or BinaryOperatorKind.GreaterThanOrEqual or BinaryOperatorKind.LessThan or BinaryOperatorKind.LessThanOrEqual:
                Validate(binary.Left, properties);
                Validate(binary.Right, properties);
                return;
            case BinaryOperatorNode binary:
                throw new ODataQueryException("$filter", $"the operator '{binary.OperatorKind}' is not supported (use eq, ne, gt, ge, lt, le, and, or, not)");
            case UnaryOperatorNode { OperatorKind: UnaryOperatorKind.Not } unary:
                Validate(unary.Operand, properties);
                return;
            case UnaryOperatorNode unary:
                throw new ODataQueryException("$filter", $"the operator '{unary.OperatorKind}' is not supported");
            case SingleValueFunctionCallNode call when call.Name is "startswith" or "endswith" or "contains":
                foreach (var parameter in call.Parameters)
                {
                    Validate(parameter, properties);
                }
                return;
            case SingleValueFunctionCallNode call:
                throw new ODataQueryException("$filter", $"the function '{call.Name}' is not supported (startswith, endswith and contains are)");
            case ConvertNode convert:
                Validate(convert.Source, properties);
                return;
            case SingleValuePropertyAccessNode property:
                properties.Add(property.Property.Name);
                return;
            case ConstantNode:
                return;
            default:
                throw new ODataQueryException("$filter", $"'{node.Kind}' expressions are not supported");
        }
    }

    /// <summary>The table filter for <paramref name="node"/> (null: none) and whether it is exact rather than a superset.</summary>
    private static (TableFilter? Filter, bool Exact) Translate(SingleValueNode node, ODataEntitySet set)
    {
        switch (node)
        {
            case BinaryOperatorNode { OperatorKind: BinaryOperatorKind.And } and:
            {
                var (left, leftExact) = Translate(and.Left, set);
                var (right, rightExact) = Translate(and.Right, set);
                // Either side alone narrows the rows without losing any: send what there is.
                return (TableFilter.AndAlso(left, right), left is not null && right is not null && leftExact && rightExact);
            }
            case BinaryOperatorNode { OperatorKind: BinaryOperatorKind.Or } or:
            {
                var (left, leftExact) = Translate(or.Left, set);
                var (right, rightExact) = Translate(or.Right, set);
                return left is null || right is null ? (null, false) : (TableFilter.Or(left, right), leftExact && rightExact);
            }
            case UnaryOperatorNode { OperatorKind: UnaryOperatorKind.Not } not:
            {
                // Table Storage drops rows that lack a column from any comparison on it, where OData compares null:
                // only a negation over columns every row has means the same in both.
                var (inner, exact) = Translate(not.Operand, set);
                return inner is not null && exact && OnlyRequiredColumns(not.Operand) ? (TableFilter.Not(inner), true) : (null, false);
            }
            case BinaryOperatorNode comparison:
                return Compare(comparison, set);
            case SingleValuePropertyAccessNode property when property.Property.Type.IsBoolean():
                return (TableFilter.Compare(property.Property.Name, TableComparison.Equal, true), true);
            case SingleValueFunctionCallNode { Name: "startswith" } call
                when call.Parameters.Select(p => Column((SingleValueNode)p)).ToList() is [SingleValuePropertyAccessNode prefixed, var prefixNode]
                     && ConstantOf(prefixNode) is string { Length: > 0 } prefix && prefix[^1] < char.MaxValue:
            {
                // A prefix is a range of the ordinal order: [prefix, prefix with its last character + 1).
                var upper = prefix[..^1] + (char)(prefix[^1] + 1);
                var range = TableFilter.And(
                    TableFilter.Compare(prefixed.Property.Name, TableComparison.GreaterThanOrEqual, prefix),
                    TableFilter.Compare(prefixed.Property.Name, TableComparison.LessThan, upper));
                return (range, false);
            }
            default:
                return (null, false);
        }
    }

    private static (TableFilter?, bool) Compare(BinaryOperatorNode node, ODataEntitySet set)
    {
        var comparison = node.OperatorKind switch
        {
            BinaryOperatorKind.Equal => TableComparison.Equal,
            BinaryOperatorKind.NotEqual => TableComparison.NotEqual,
            BinaryOperatorKind.GreaterThan => TableComparison.GreaterThan,
            BinaryOperatorKind.GreaterThanOrEqual => TableComparison.GreaterThanOrEqual,
            BinaryOperatorKind.LessThan => TableComparison.LessThan,
            BinaryOperatorKind.LessThanOrEqual => TableComparison.LessThanOrEqual,
            _ => (TableComparison?)null,
        };
        if (comparison is not { } op)
        {
            return (null, false);
        }
        // Property on the left, constant on the right; a constant on the left mirrors the operator.
        var (propertyNode, valueNode) = (Column(node.Left), node.Right);
        if (propertyNode is not SingleValuePropertyAccessNode && Column(node.Right) is SingleValuePropertyAccessNode right)
        {
            (propertyNode, valueNode) = (right, node.Left);
            op = op switch
            {
                TableComparison.GreaterThan => TableComparison.LessThan,
                TableComparison.GreaterThanOrEqual => TableComparison.LessThanOrEqual,
                TableComparison.LessThan => TableComparison.GreaterThan,
                TableComparison.LessThanOrEqual => TableComparison.GreaterThanOrEqual,
                _ => op,
            };
        }
        if (propertyNode is not SingleValuePropertyAccessNode { Property: var property } || ColumnValue(ConstantOf(valueNode), property.Type) is not { } value)
        {
            return (null, false);
        }
        if (op == TableComparison.NotEqual && property.Type.IsNullable)
        {
            return (null, false);
        }
        if (value is double d && d == Math.Floor(d))
        {
            // The SDK writes a whole double as "2", which Table Storage reads as an Int32 and does not compare with a
            // Double column: left to the check here.
            return (null, false);
        }
        var filter = TableFilter.Compare(property.Name, op, value);
        if (op == TableComparison.Equal && set.PartitionColumn == property.Name && set.PartitionOf is { } partitionOf && value is string text)
        {
            // The column is the PartitionKey's source: the same question asked of one partition.
            filter = TableFilter.And(TableFilter.Compare("PartitionKey", TableComparison.Equal, partitionOf(text)), filter);
        }
        return (filter, true);
    }

    /// <summary>The property under a conversion the parser added that keeps its type (non-nullable to nullable); else the node.</summary>
    private static SingleValueNode Column(SingleValueNode node) =>
        node is ConvertNode { Source: SingleValuePropertyAccessNode property } convert && convert.TypeReference.PrimitiveKind() == property.Property.Type.PrimitiveKind()
            ? property
            : node;

    private static bool OnlyRequiredColumns(QueryNode node) => node switch
    {
        SingleValuePropertyAccessNode property => !property.Property.Type.IsNullable,
        BinaryOperatorNode binary => OnlyRequiredColumns(binary.Left) && OnlyRequiredColumns(binary.Right),
        UnaryOperatorNode unary => OnlyRequiredColumns(unary.Operand),
        ConvertNode convert => OnlyRequiredColumns(convert.Source),
        ConstantNode => true,
        _ => false,
    };

    /// <summary>The constant's value (through a type conversion the parser added), or null.</summary>
    private static object? ConstantOf(SingleValueNode node) => node switch
    {
        ConstantNode constant => constant.Value,
        ConvertNode { Source: ConstantNode constant } => constant.Value,
        _ => null,
    };

    /// <summary>The value as the column's own type when that loses nothing; null when it cannot be sent as is.</summary>
    private static object? ColumnValue(object? value, IEdmTypeReference type)
    {
        var kind = type.PrimitiveKind();
        try
        {
            return (kind, value) switch
            {
                (_, null) => null,
                (EdmPrimitiveTypeKind.String, string s) => s,
                (EdmPrimitiveTypeKind.Boolean, bool b) => b,
                (EdmPrimitiveTypeKind.DateTimeOffset, DateTimeOffset d) => d,
                (EdmPrimitiveTypeKind.Guid, Guid g) => g,
                (EdmPrimitiveTypeKind.Int32, int or long or decimal or double) when Convert.ToDecimal(value, CultureInfo.InvariantCulture) is var n
                    && n == decimal.Truncate(n) && n is >= int.MinValue and <= int.MaxValue => (int)n,
                (EdmPrimitiveTypeKind.Int64, int or long or decimal or double) when Convert.ToDecimal(value, CultureInfo.InvariantCulture) is var n
                    && n == decimal.Truncate(n) && n is >= long.MinValue and <= long.MaxValue => (long)n,
                (EdmPrimitiveTypeKind.Double, int or long or decimal or double or float) => Convert.ToDouble(value, CultureInfo.InvariantCulture),
                _ => null,
            };
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    private static object? Evaluate(SingleValueNode node, TableEntity row)
    {
        switch (node)
        {
            case BinaryOperatorNode { OperatorKind: BinaryOperatorKind.And } and:
                return Evaluate(and.Left, row) is true && Evaluate(and.Right, row) is true;
            case BinaryOperatorNode { OperatorKind: BinaryOperatorKind.Or } or:
                return Evaluate(or.Left, row) is true || Evaluate(or.Right, row) is true;
            case UnaryOperatorNode unary:
                return Evaluate(unary.Operand, row) is bool b ? !b : null;
            case BinaryOperatorNode binary:
                return CompareValues(binary.OperatorKind, Evaluate(binary.Left, row), Evaluate(binary.Right, row));
            case SingleValueFunctionCallNode call:
                var arguments = call.Parameters.Select(p => Evaluate((SingleValueNode)p, row)).ToList();
                if (arguments is not [string text, string part])
                {
                    return false;
                }
                return call.Name switch
                {
                    "startswith" => text.StartsWith(part, StringComparison.Ordinal),
                    "endswith" => text.EndsWith(part, StringComparison.Ordinal),
                    _ => text.Contains(part, StringComparison.Ordinal),
                };
            case ConvertNode convert:
                return Evaluate(convert.Source, row);
            case SingleValuePropertyAccessNode property:
                return row.TryGetValue(property.Property.Name, out var value) ? value : null;
            case ConstantNode constant:
                return constant.Value;
            default:
                return null;
        }
    }

    private static bool CompareValues(BinaryOperatorKind op, object? left, object? right)
    {
        if (left is null || right is null)
        {
            // OData: null eq null, and any ordering comparison with null is false.
            return op switch
            {
                BinaryOperatorKind.Equal => left is null && right is null,
                BinaryOperatorKind.NotEqual => !(left is null && right is null),
                _ => false,
            };
        }
        int? order = (left, right) switch
        {
            (string a, string b) => string.CompareOrdinal(a, b),
            (bool a, bool b) => a.CompareTo(b),
            (DateTimeOffset a, DateTimeOffset b) => a.CompareTo(b),
            (Guid a, Guid b) => a.CompareTo(b),
            _ when IsNumber(left) && IsNumber(right) => Convert.ToDouble(left, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(right, CultureInfo.InvariantCulture)),
            _ => null,
        };
        if (order is not { } o)
        {
            // A stored value of another type than the model's (a hand-edited row) never matches.
            return false;
        }
        return op switch
        {
            BinaryOperatorKind.Equal => o == 0,
            BinaryOperatorKind.NotEqual => o != 0,
            BinaryOperatorKind.GreaterThan => o > 0,
            BinaryOperatorKind.GreaterThanOrEqual => o >= 0,
            BinaryOperatorKind.LessThan => o < 0,
            _ => o <= 0,
        };
    }

    private static bool IsNumber(object value) => value is int or long or double or float or decimal;
}
