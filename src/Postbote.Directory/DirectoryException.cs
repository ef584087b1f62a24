namespace Postbote.Directory;

/// <summary>An administrative change to the directory was refused (invalid address, domain not local, duplicate...).
/// The message is meant for the operator.</summary>
public sealed class DirectoryException : Exception
{
    public DirectoryException(string message) : base(message) { }
}
