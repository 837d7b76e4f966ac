// The nginx log_format the nginx-log metric source reads (the README and the
// shipped example give the same text). escape=json keeps any value, even a
// hostile request line, inside its JSON string.
export const NGINX_JSON_LOG_FORMAT =
  `log_format switchyard_json escape=json '{"time":"$time_iso8601","request":"$request","status":"$status",` +
  `"upstream_addr":"$upstream_addr","upstream_status":"$upstream_status","request_time":"$request_time"}';`;
