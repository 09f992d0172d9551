import Foundation
import Testing
@testable import SouverainS3

struct MIMEEncodedWordTests {
    @Test func asciiValuesAreAnsweredAsStored() {
        #expect(MIMEEncodedWord.encode("Hello World") == "Hello World")
        #expect(MIMEEncodedWord.encode("") == "")
        #expect(MIMEEncodedWord.encode("a=?b?c") == "a=?b?c")
    }

    @Test func aNonASCIIValueIsOneBase64UTF8Word() {
        // What AWS answers for "Hello Worldé" (issue 14: it came back as "Hello WorldÃ©").
        #expect(MIMEEncodedWord.encode("Hello Worldé") == "=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?=")
    }

    @Test(arguments: ["Hello Worldé", "日本語のメタデータ", "emoji 🎉 and ü", String(repeating: "é", count: 500)])
    func encodedValuesDecodeToWhatWasStored(_ value: String) {
        #expect(MIMEEncodedWord.decode(MIMEEncodedWord.encode(value)) == value)
    }

    @Test func decodesWhatClientsSend() {
        #expect(MIMEEncodedWord.decode("=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?=") == "Hello Worldé")
        #expect(MIMEEncodedWord.decode("=?utf-8?q?Hello_World=C3=A9?=") == "Hello Worldé")
        #expect(MIMEEncodedWord.decode("=?ISO-8859-1?Q?caf=E9?=") == "café")
        // Adjacent words: the whitespace between them goes; a character may span two words.
        #expect(MIMEEncodedWord.decode("=?UTF-8?B?w6k=?= =?UTF-8?Q?t=C3=A9?=") == "été")
        #expect(MIMEEncodedWord.decode("=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=") == "é")
        // Text around a word is kept, with its spaces.
        #expect(MIMEEncodedWord.decode("prefix =?UTF-8?B?w6k=?= suffix") == "prefix é suffix")
    }

    @Test(arguments: ["=?", "=?UTF-8?B?", "=?UTF-8?X?abc?=", "=?KOI8-R?B?w6k=?=", "=?UTF-8?Q?=ZZ?=", "a =? b", "=?UTF-8?B?/w==?="])
    func malformedOrUnknownWordsAreKeptAsSent(_ value: String) {
        #expect(MIMEEncodedWord.decode(value) == value)
    }
}
