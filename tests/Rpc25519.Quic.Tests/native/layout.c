// Prints sizes and offsets of the ngtcp2 structures the QUIC binding mirrors: gcc layout.c -o layout -lngtcp2 && ./layout
#include <stdio.h>
#include <stddef.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>
#define S(t) printf(#t " size=%zu\n", sizeof(t))
#define O(t,f) printf("  " #t "." #f "=%zu\n", offsetof(t,f))
int main(){
S(ngtcp2_cid); S(ngtcp2_vec); S(ngtcp2_pkt_info); S(ngtcp2_addr); S(ngtcp2_path); S(ngtcp2_callbacks);
S(ngtcp2_settings); O(ngtcp2_settings,cc_algo);O(ngtcp2_settings,initial_ts);O(ngtcp2_settings,initial_rtt);O(ngtcp2_settings,log_printf);O(ngtcp2_settings,max_tx_udp_payload_size);O(ngtcp2_settings,token);O(ngtcp2_settings,rand_ctx);O(ngtcp2_settings,max_window);O(ngtcp2_settings,max_stream_window);O(ngtcp2_settings,ack_thresh);O(ngtcp2_settings,no_tx_udp_payload_size_shaping);O(ngtcp2_settings,handshake_timeout);O(ngtcp2_settings,preferred_versions);O(ngtcp2_settings,original_version);O(ngtcp2_settings,no_pmtud);
S(ngtcp2_transport_params); S(ngtcp2_preferred_addr); O(ngtcp2_transport_params,original_dcid);O(ngtcp2_transport_params,initial_scid);O(ngtcp2_transport_params,retry_scid);O(ngtcp2_transport_params,initial_max_stream_data_bidi_local);O(ngtcp2_transport_params,initial_max_streams_bidi);O(ngtcp2_transport_params,max_idle_timeout);O(ngtcp2_transport_params,max_datagram_frame_size);O(ngtcp2_transport_params,stateless_reset_token_present);O(ngtcp2_transport_params,stateless_reset_token);O(ngtcp2_transport_params,grease_quic_bit);O(ngtcp2_transport_params,version_info);O(ngtcp2_transport_params,version_info_present);
S(ngtcp2_pkt_hd); O(ngtcp2_pkt_hd,scid);O(ngtcp2_pkt_hd,pkt_num);O(ngtcp2_pkt_hd,token);O(ngtcp2_pkt_hd,pkt_numlen);O(ngtcp2_pkt_hd,len);O(ngtcp2_pkt_hd,version);O(ngtcp2_pkt_hd,type);O(ngtcp2_pkt_hd,flags);
S(ngtcp2_connection_close_error);O(ngtcp2_connection_close_error,error_code);O(ngtcp2_connection_close_error,frame_type);O(ngtcp2_connection_close_error,reason);O(ngtcp2_connection_close_error,reasonlen);
S(ngtcp2_crypto_conn_ref); S(ngtcp2_info); S(ngtcp2_version_cid);
printf("SET_V %d TP_V %d CB_V %d PI_V %d\n", NGTCP2_SETTINGS_VERSION, NGTCP2_TRANSPORT_PARAMS_VERSION, NGTCP2_CALLBACKS_VERSION, NGTCP2_PKT_INFO_VERSION);
ngtcp2_settings s; ngtcp2_settings_default(&s); printf("default max_window=%lu msw=%lu ht=%lu maxudp=%zu cc=%d\n", s.max_window, s.max_stream_window, s.handshake_timeout, s.max_tx_udp_payload_size, s.cc_algo);
ngtcp2_transport_params p; ngtcp2_transport_params_default(&p); printf("tp idle=%lu ibl=%lu md=%lu sb=%lu\n", p.max_idle_timeout, p.initial_max_stream_data_bidi_local,p.initial_max_data,p.initial_max_streams_bidi);
return 0;}
