// The wire format of the TL consumer: AWS SQS SendMessageBatch, both ways.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "event.h"

namespace tep {

/// The form body (application/x-www-form-urlencoded, as URLSearchParams
/// encodes it: space as '+', UTF-8 percent-encoding with upper-case hex,
/// [A-Za-z0-9*-._] kept) for these events, entries numbered from 1, fields
/// in the order the collector's reference client sends them.
std::string encode_send_message_batch(const std::vector<Event>& events);

/// One rejected entry of a SendMessageBatch response.
struct BatchEntryError {
  std::string id;
  bool sender_fault = false;  ///< true: the event itself is bad; false: transient
  std::string code;
  std::string message;
};

/// A parsed response body.
struct BatchResponse {
  enum class Kind {
    kBatchResult,    ///< <SendMessageBatchResponse>: see accepted / rejected
    kErrorResponse,  ///< <ErrorResponse>: see error_type / error_code
    kUnrecognised,   ///< well-formed XML of another shape, or not XML at all
  };
  Kind kind = Kind::kUnrecognised;
  std::vector<std::string> accepted;      ///< Ids of SendMessageBatchResultEntry
  std::vector<BatchEntryError> rejected;  ///< BatchResultErrorEntry
  std::string error_type;                 ///< ErrorResponse > Error > Type ("Sender"/"Receiver")
  std::string error_code;                 ///< ErrorResponse > Error > Code
  std::string error_message;
};

/// Parses a response body without a DOM: tolerant of XML namespaces
/// (prefixes and xmlns), whitespace, comments, CDATA, the XML declaration and
/// entity escapes (&lt; &gt; &amp; &quot; &apos; &#N; &#xN;); strict about
/// malformed XML (unclosed or mismatched tags, bad entities): such a body
/// yields Kind::kUnrecognised, which confirms nothing. Never throws.
BatchResponse decode_batch_response(std::string_view body);

}  // namespace tep
