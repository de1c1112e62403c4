using System.Text;

namespace Rpc25519.ConfigFiles;

/// <summary>
/// The original's s-expression config style (spec §6.3): <c>(rpc25519_Config</c>, one right-aligned
/// <c>Field: value,</c> per line, <c>)</c>. Values: <c>"strings"</c>, <c>true</c>/<c>false</c>, integers,
/// <c>(dur "9s")</c>. Comments run from <c>;</c> or <c>//</c> to the end of the line.
/// </summary>
internal static class SexpConfigFormat
{
    public const string RecordName = "rpc25519_Config";

    public static string Write(RpcOptions config, bool omitDefaults)
    {
        var defaults = new RpcOptions();
        List<ConfigField> fields = ConfigField.All.Where(f => !omitDefaults || !f.IsDefault(config, defaults)).ToList();
        int width = fields.Count == 0 ? 0 : fields.Max(f => f.Name.Length);
        var text = new StringBuilder().Append('(').Append(RecordName).Append('\n');
        foreach (ConfigField field in fields)
        {
            text.Append(field.Name.PadLeft(width)).Append(": ");
            string value = field.GetText(config);
            switch (field.Kind)
            {
                case ConfigValueKind.Duration:
                    text.Append("(dur ").Append(Quote(value)).Append(')');
                    break;
                case ConfigValueKind.String:
                    text.Append(Quote(value));
                    break;
                default:
                    text.Append(value);
                    break;
            }
            text.Append(",\n");
        }
        return text.Append(")\n").ToString();
    }

    /// <exception cref="ConfigFileException">The text is malformed or names an unknown field.</exception>
    public static RpcOptions Read(string text)
    {
        var lexer = new Lexer(text);
        lexer.Expect("(");
        RpcOptions config = ReadRecord(lexer);
        Token end = lexer.Next();
        if (end.Kind != TokenKind.End)
        {
            throw new ConfigFileException($"unexpected '{end.Text}' after the closing ')'.", end.Line);
        }
        Finish(config, end.Line);
        return config;
    }

    /// <summary>Reads one <c>(rpc25519_Config …)</c> record after its opening parenthesis, through its closing one;
    /// also used for a record nested in another config file (e.g. Tube's <c>RpcCfg</c>).</summary>
    internal static RpcOptions ReadRecord(Lexer lexer)
    {
        var config = new RpcOptions();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        ExpectRecordName(lexer, RecordName);
        while (NextFieldName(lexer) is { } key)
        {
            ConfigField field = ConfigField.Find(key.Text) ?? throw UnknownField(key.Text, key.Line);
            if (!seen.Add(field.Name))
            {
                throw new ConfigFileException($"field '{key.Text}' appears twice.", key.Line, key.Text);
            }
            lexer.Expect(":");
            Token value = lexer.Next();
            string valueText;
            if (value.Kind == TokenKind.Punct && value.Text == "(")
            {
                Token dur = lexer.Next();
                Token literal = lexer.Next();
                if (dur.Text != "dur" || literal.Kind != TokenKind.String)
                {
                    throw new ConfigFileException($"field '{key.Text}': expected (dur \"9s\").", value.Line, key.Text);
                }
                lexer.Expect(")");
                valueText = literal.Text;
                RequireKind(field, ConfigValueKind.Duration, key, value.Line);
            }
            else if (value.Kind == TokenKind.Punct && value.Text == "[")
            {
                valueText = ReadList(lexer, field, key);
            }
            else if (value.Kind == TokenKind.String)
            {
                valueText = value.Text;
                if (field.Kind != ConfigValueKind.Duration)
                {
                    RequireKind(field, ConfigValueKind.String, key, value.Line);
                }
            }
            else if (value.Kind == TokenKind.Word)
            {
                valueText = value.Text;
                if (field.Kind is not (ConfigValueKind.Bool or ConfigValueKind.Integer))
                {
                    throw new ConfigFileException($"field '{key.Text}' needs a {Describe(field.Kind)}, not '{value.Text}'.",
                        value.Line, key.Text);
                }
            }
            else
            {
                throw new ConfigFileException($"field '{key.Text}': unexpected '{value.Text}'.", value.Line, key.Text);
            }
            Set(config, field, key.Text, valueText, value.Line);
            if (lexer.PeekPunct(","))
            {
                lexer.Next();
            }
        }
        return config;
    }

    /// <summary>Reads the record name after a record's opening parenthesis and checks it.</summary>
    internal static void ExpectRecordName(Lexer lexer, string name)
    {
        Token record = lexer.Next();
        if (record.Kind != TokenKind.Word || record.Text != name)
        {
            throw new ConfigFileException($"expected the record name {name}, found '{record.Text}'.", record.Line);
        }
    }

    /// <summary>The next field name of a record, or null at its closing parenthesis.</summary>
    internal static Token? NextFieldName(Lexer lexer)
    {
        Token key = lexer.Next();
        if (key.Kind == TokenKind.Punct && key.Text == ")")
        {
            return null;
        }
        if (key.Kind != TokenKind.Word)
        {
            throw new ConfigFileException($"expected a field name, found '{key.Text}'.", key.Line);
        }
        return key;
    }

    /// <summary>Checks what holds only for a whole file (e.g. both of a pair of original lists given).</summary>
    internal static void Finish(RpcOptions config, int line)
    {
        try
        {
            LegacyConfigFields.Finish(config);
        }
        catch (FormatException e)
        {
            throw new ConfigFileException(e.Message, line, null, e);
        }
    }

    /// <summary>Reads the items of <c>[a, b]</c> after its opening bracket, for a list field.</summary>
    private static string ReadList(Lexer lexer, ConfigField field, Token key)
    {
        if (field.Kind is not (ConfigValueKind.StringList or ConfigValueKind.IntegerList))
        {
            throw new ConfigFileException($"field '{key.Text}' needs a {Describe(field.Kind)}, not a list.", key.Line,
                key.Text);
        }
        TokenKind itemKind = field.Kind == ConfigValueKind.StringList ? TokenKind.String : TokenKind.Word;
        var items = new List<string>();
        while (true)
        {
            Token item = lexer.Next();
            if (item.Kind == TokenKind.Punct && item.Text == "]")
            {
                return string.Join(ConfigField.ListSeparator, items);
            }
            if (item.Kind == TokenKind.Punct && item.Text == "," && items.Count > 0)
            {
                continue;
            }
            if (item.Kind != itemKind)
            {
                throw new ConfigFileException($"field '{key.Text}' needs a {Describe(field.Kind)}; found " +
                    $"'{item.Text}'.", item.Line, key.Text);
            }
            items.Add(item.Text);
        }
    }

    internal static void Set(RpcOptions config, ConfigField field, string key, string text, int line)
    {
        try
        {
            field.SetText(config, text);
        }
        catch (FormatException e)
        {
            throw new ConfigFileException($"field '{key}': {e.Message}", line, key, e);
        }
    }

    internal static ConfigFileException UnknownField(string name, int line) =>
        new($"unknown field '{name}' in {RecordName}; known fields: {string.Join(", ", ConfigField.All.Select(f => f.Name))}.",
            line, name);

    private static void RequireKind(ConfigField field, ConfigValueKind kind, Token key, int line)
    {
        if (field.Kind != kind)
        {
            throw new ConfigFileException($"field '{key.Text}' needs a {Describe(field.Kind)}.", line, key.Text);
        }
    }

    internal static string Describe(ConfigValueKind kind) => kind switch
    {
        ConfigValueKind.String => "quoted string",
        ConfigValueKind.Bool => "true or false",
        ConfigValueKind.Integer => "whole number",
        ConfigValueKind.StringList => "list of quoted strings like [\"a\", \"b\"]",
        ConfigValueKind.IntegerList => "list of whole numbers like [2, 0]",
        _ => "duration like (dur \"9s\")",
    };

    private static string Quote(string value)
    {
        var text = new StringBuilder("\"");
        foreach (char c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ => c.ToString(),
            });
        }
        return text.Append('"').ToString();
    }

    internal enum TokenKind
    {
        Punct,
        Word,
        String,
        End,
    }

    internal readonly record struct Token(TokenKind Kind, string Text, int Line);

    /// <summary>Splits the text into punctuation, bare words and quoted strings, counting lines.</summary>
    internal sealed class Lexer(string text)
    {
        private int _position;
        private int _line = 1;
        private Token? _peeked;

        public Token Next()
        {
            if (_peeked is { } peeked)
            {
                _peeked = null;
                return peeked;
            }
            SkipSpaceAndComments();
            if (_position >= text.Length)
            {
                return new Token(TokenKind.End, "end of file", _line);
            }
            char c = text[_position];
            if (c is '(' or ')' or '[' or ']' or '{' or '}' or ',' or ':')
            {
                _position++;
                return new Token(TokenKind.Punct, c.ToString(), _line);
            }
            if (c == '"')
            {
                return ReadString();
            }
            int start = _position;
            while (_position < text.Length && !char.IsWhiteSpace(text[_position])
                   && text[_position] is not ('(' or ')' or '[' or ']' or '{' or '}' or ',' or ':' or '"' or ';'))
            {
                _position++;
            }
            return new Token(TokenKind.Word, text[start.._position], _line);
        }

        public bool PeekPunct(string punct)
        {
            _peeked ??= Next();
            return _peeked.Value.Kind == TokenKind.Punct && _peeked.Value.Text == punct;
        }

        public void Expect(string punct)
        {
            Token token = Next();
            if (token.Kind != TokenKind.Punct || token.Text != punct)
            {
                throw new ConfigFileException($"expected '{punct}', found '{token.Text}'.", token.Line);
            }
        }

        private Token ReadString()
        {
            int line = _line;
            var value = new StringBuilder();
            _position++;
            while (true)
            {
                if (_position >= text.Length || text[_position] == '\n')
                {
                    throw new ConfigFileException("a string is not closed with '\"'.", line);
                }
                char c = text[_position++];
                if (c == '"')
                {
                    return new Token(TokenKind.String, value.ToString(), line);
                }
                if (c == '\\' && _position < text.Length)
                {
                    char escaped = text[_position++];
                    value.Append(escaped switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => escaped });
                }
                else
                {
                    value.Append(c);
                }
            }
        }

        private void SkipSpaceAndComments()
        {
            while (_position < text.Length)
            {
                char c = text[_position];
                if (c == '\n')
                {
                    _line++;
                    _position++;
                }
                else if (char.IsWhiteSpace(c))
                {
                    _position++;
                }
                else if (c == ';' || (c == '/' && _position + 1 < text.Length && text[_position + 1] == '/'))
                {
                    while (_position < text.Length && text[_position] != '\n')
                    {
                        _position++;
                    }
                }
                else
                {
                    return;
                }
            }
        }
    }
}
