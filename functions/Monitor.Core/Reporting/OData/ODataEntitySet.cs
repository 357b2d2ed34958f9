using System.Reflection;
using Azure.Data.Tables;
using Microsoft.OData.Edm;
using Monitor.Core.Storage;

namespace Monitor.Core.Reporting.OData;

/// <summary>
/// One entity set of the feed: a public table, the row class whose properties are its typed columns, and (when one
/// column always equals the encoded PartitionKey) that column, so a filter on it reads one partition.
/// </summary>
public sealed record ODataEntitySet(string Name, Type RowType, string? PartitionColumn = null, Func<string, string>? PartitionOf = null)
{
    public static ODataEntitySet Of<TRow>(string table, string? partitionColumn = null, Func<string, string>? partitionOf = null)
        where TRow : ITableEntity =>
        new(table, typeof(TRow), partitionColumn, partitionOf);

    /// <summary>The columns in declaration order, keys first: every public property but the service's Timestamp and ETag.</summary>
    internal IEnumerable<PropertyInfo> Columns()
    {
        var context = new NullabilityInfoContext();
        var properties = RowType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.Name is not (nameof(ITableEntity.Timestamp) or nameof(ITableEntity.ETag)));
        return properties.OrderBy(p => p.Name switch { "PartitionKey" => 0, "RowKey" => 1, _ => 2 });
    }

    /// <summary>The entity type's name: the row class without "Entity" (RequestEntity: Request).</summary>
    internal string TypeName => RowType.Name.EndsWith("Entity", StringComparison.Ordinal) ? RowType.Name[..^"Entity".Length] : RowType.Name;

    internal static (EdmPrimitiveTypeKind Kind, bool Nullable) EdmTypeOf(PropertyInfo property, NullabilityInfoContext context)
    {
        var underlying = Nullable.GetUnderlyingType(property.PropertyType);
        var type = underlying ?? property.PropertyType;
        var kind = type == typeof(string) ? EdmPrimitiveTypeKind.String
            : type == typeof(DateTimeOffset) ? EdmPrimitiveTypeKind.DateTimeOffset
            : type == typeof(int) ? EdmPrimitiveTypeKind.Int32
            : type == typeof(long) ? EdmPrimitiveTypeKind.Int64
            : type == typeof(double) ? EdmPrimitiveTypeKind.Double
            : type == typeof(bool) ? EdmPrimitiveTypeKind.Boolean
            : type == typeof(Guid) ? EdmPrimitiveTypeKind.Guid
            : throw new InvalidOperationException($"{property.DeclaringType?.Name}.{property.Name}: {type.Name} has no table column type");
        var nullable = type == typeof(string)
            ? context.Create(property).ReadState != NullabilityState.NotNull
            : underlying is not null;
        return (kind, nullable);
    }
}
