namespace Postbote.Web.Dashboard;

/// <summary>A piece of HTML that is already safe (built by <see cref="Html"/>): inserted as it is, never encoded again.</summary>
public readonly record struct Markup(string Value)
{
    public static readonly Markup Empty = new("");
    public override string ToString() => Value;
}
